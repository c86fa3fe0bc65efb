from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import views
from .accounts import views as accounts_views

handler400 = "leadflow.views.bad_request"
handler403 = "leadflow.views.permission_denied"
handler404 = "leadflow.views.page_not_found"
handler500 = "leadflow.views.server_error"

urlpatterns = [
    path("", views.home, name="home"),
    # Browsers ask for /favicon.ico on pages without a <link rel="icon"> (errors, the admin).
    path("favicon.ico", RedirectView.as_view(url=static("favicon.svg"), permanent=True)),
    path("accounts/login/", accounts_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", accounts_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/tokens/", include("leadflow.accounts.urls")),
    path("admin/", admin.site.urls),
    path("audit/", include("leadflow.audit.urls")),
    path("marketing/", include("marketing.urls")),
    path("sales/", include("sales.urls")),
    path("handoff/", include("handoff.urls")),
    # Scorecards and SLA reports keep their /handoff/ addresses (bookmarks, the crawler).
    path("handoff/", include("insights.urls")),
    path("dashboard/", include("insights.dashboard.urls")),
    path("api/v1/", include("marketing.api.urls")),
    path("api/v1/", include("handoff.api.urls")),
    path("api/v1/", include("sales.api.urls")),
]

if settings.LEADFLOW_BENCH_BASELINE:
    urlpatterns.append(path("bench/baseline/", include("leadflow.baseline")))
