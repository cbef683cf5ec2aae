from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = _("Public dashboard")

    def ready(self):
        from dashboard import cache  # noqa: F401  (connects the signals that invalidate cached pages)
