from editing.models import StrategyEditor


def can_edit(user, strategy) -> bool:
    """Superusers edit everything; an editor edits the strategies assigned to them (or all, if so assigned)."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if not user.has_perm("budgets.change_allocation"):
        return False
    return StrategyEditor.objects.for_user(user).filter(strategy__in=[strategy.pk]).exists() or (
        StrategyEditor.objects.for_user(user).filter(strategy__isnull=True).exists()
    )


def editable_strategies(user, strategies) -> list:
    return [strategy for strategy in strategies if can_edit(user, strategy)]
