from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from api.views import index as api_index
from dashboard import site
from dashboard.sitemaps import SITEMAPS
from strategy_tracker.health import health
from strategy_tracker.login import AdminLoginForm, Login, only_with_mail

admin.site.site_header = _("Strategy Tracker administration")
admin.site.site_title = _("Strategy Tracker")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Open data has one address for every client; its messages follow Accept-Language instead.
    path("api/", include("api.urls")),
    path("robots.txt", site.robots_txt, name="robots_txt"),
    path("favicon.ico", site.favicon, name="favicon"),
    path("sitemap.xml", require_safe(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
# Danish at the plain URLs whatever the browser asks for; English under /en/, so a link keeps its language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    # The open data's page, in Danish at /api/ and in English at /en/api/; the data itself is at /api/… only.
    path("api/", api_index, name="api_index"),
    path("accounts/login/", Login.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password_reset/", only_with_mail(auth_views.PasswordResetView.as_view()), name="password_reset"),
    path(
        "accounts/password_reset/done/",
        only_with_mail(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        only_with_mail(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        only_with_mail(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
    path("", include("editing.urls")),
    path("", include("publication.urls")),
    path("", include("tracking.urls")),
    path("", include("dashboard.urls")),
    prefix_default_language=False,
)

handler500 = "strategy_tracker.errors.server_error"
