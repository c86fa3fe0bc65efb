from django.contrib import admin
from django.utils import timezone

from .models import OutboundEmail


@admin.register(OutboundEmail)
class OutboundEmailAdmin(admin.ModelAdmin):
    list_display = ["subject", "recipients", "state", "attempts", "next_attempt_at", "sent_at", "created_at"]
    list_filter = ["state"]
    search_fields = ["subject", "to"]
    readonly_fields = [field.name for field in OutboundEmail._meta.fields]
    actions = ["retry_now"]

    def has_add_permission(self, request) -> bool:
        return False  # mail is queued by the code that sends it; a row typed here would be an empty email

    @admin.display(description="To")
    def recipients(self, email: OutboundEmail) -> str:
        return ", ".join(email.to)

    @admin.action(description="Retry now")
    def retry_now(self, request, queryset) -> None:
        count = queryset.exclude(state=OutboundEmail.State.SENT).update(
            state=OutboundEmail.State.PENDING, next_attempt_at=timezone.now(), attempts=0
        )
        self.message_user(request, f"{count} email(s) will be retried by the next sweep.")
