from editing.models import StrategyEditor
from editing.roles import ADMINISTRATOR_GROUP


def can_edit(user, strategy) -> bool:
    """Superusers and administrators edit everything; an editor edits the strategies assigned to them (or all,
    if so assigned)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("budgets.change_allocation"):
        return False
    if user.groups.filter(name=ADMINISTRATOR_GROUP).exists():
        return True
    return StrategyEditor.objects.for_user(user).filter(strategy__in=[strategy.pk]).exists() or (
        StrategyEditor.objects.for_user(user).filter(strategy__isnull=True).exists()
    )


def editable_strategies(user, strategies) -> list:
    return [strategy for strategy in strategies if can_edit(user, strategy)]
