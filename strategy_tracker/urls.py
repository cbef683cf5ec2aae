from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from strategy_tracker.health import health
from strategy_tracker.login import AdminLoginForm, LoginForm

admin.site.site_header = _("Strategy Tracker administration")
admin.site.site_title = _("Strategy Tracker")
admin.site.login_form = AdminLoginForm

urlpatterns = [
    path("health/", health, name="health"),
    path("i18n/", include("django.conf.urls.i18n")),
    # Open data has one address for every client; its messages follow Accept-Language instead.
    path("api/", include("api.urls")),
]
# Danish at the plain URLs whatever the browser asks for; English under /en/, so a link keeps its language.
urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/login/", LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("editing.urls")),
    path("", include("publication.urls")),
    path("", include("dashboard.urls")),
    prefix_default_language=False,
)

handler500 = "strategy_tracker.errors.server_error"
