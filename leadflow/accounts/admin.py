from django.contrib import admin
from django.db.models import Q
from django.utils import timezone

from . import services, views
from .forms import AdminLockoutAuthenticationForm
from .models import ApiToken

# The admin's own login page is a second way to guess passwords: same lockout, same 429.
# Set on the site rather than routed in urls.py, so the page stays `admin:login`.
admin.site.login_form = AdminLockoutAuthenticationForm
admin.site.login = views.refusing_when_locked(admin.site.login)


class StatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return [("active", "Active"), ("expired", "Expired"), ("revoked", "Revoked")]

    def queryset(self, request, queryset):
        live = Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now())
        if self.value() == "active":
            return queryset.filter(live, revoked_at__isnull=True)
        if self.value() == "expired":
            return queryset.filter(revoked_at__isnull=True).exclude(live)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Superusers see everyone's tokens and revoke them; nobody sees a hash or adds one here
    (a token's secret is shown once, to the user who creates it)."""

    list_display = ["name", "user", "token_prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    list_filter = [StatusFilter]
    list_select_related = ["user"]
    search_fields = ["name", "prefix", "user__username"]
    fields = ["name", "user", "token_prefix", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="Token", ordering="prefix")
    def token_prefix(self, token: ApiToken) -> str:
        return f"lf_{token.prefix}_…"

    @admin.action(description="Revoke selected tokens", permissions=["change"])
    def revoke(self, request, queryset) -> None:
        count = services.revoke_api_tokens(tokens=queryset)
        self.message_user(request, f"{count} token(s) revoked.")

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        # The revoke action needs it; every field is read-only.
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # revoked tokens stay, as a record of who could call the API when
