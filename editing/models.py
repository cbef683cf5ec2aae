from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from initiatives.models import Strategy


class StrategyEditorQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user)


class StrategyEditor(models.Model):
    """A user who may edit one strategy's budget, or every strategy's where no strategy is given."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="strategy_roles", verbose_name=_("user")
    )
    strategy = models.ForeignKey(
        Strategy,
        on_delete=models.CASCADE,
        related_name="editors",
        verbose_name=_("strategy"),
        null=True,
        blank=True,
        help_text=_("Empty: every strategy."),
    )

    objects = StrategyEditorQuerySet.as_manager()

    class Meta:
        verbose_name = _("strategy editor")
        verbose_name_plural = _("strategy editors")
        constraints = [
            models.UniqueConstraint(fields=["user", "strategy"], nulls_distinct=False, name="strategy_editor_once"),
        ]

    def __str__(self):
        return f"{self.user} → {self.strategy or _('every strategy')}"
