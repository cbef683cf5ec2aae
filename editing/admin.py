from django.contrib import admin

from budgets.models import Allocation, BudgetLine
from editing.models import StrategyEditor
from editing.permissions import can_edit
from initiatives.models import Chapter, Initiative, Strategy


@admin.register(StrategyEditor)
class StrategyEditorAdmin(admin.ModelAdmin):
    list_display = ["user", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class ScopedToEditableStrategies:
    """Admin pages that show an editor only the strategies they may edit, and let them change nothing else."""

    strategy_path = "strategy"

    def _strategies(self, request):
        return [strategy.pk for strategy in Strategy.objects.all() if can_edit(request.user, strategy)]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.strategy_path}__in": self._strategies(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            allowed = self._strategies(request)
            limits = {
                "strategy": {"pk__in": allowed},
                "chapter": {"strategy__in": allowed},
                "line": {"strategy__in": allowed},
            }
            if db_field.name in limits:
                kwargs["queryset"] = db_field.related_model.objects.filter(**limits[db_field.name])
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def _rescope(model, strategy_path):
    """Re-register a model's admin with the scoping above, keeping everything else it declares."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    scoped = type(f"Scoped{base.__name__}", (ScopedToEditableStrategies, base), {"strategy_path": strategy_path})
    admin.site.register(model, scoped)


_rescope(Chapter, "strategy")
_rescope(Initiative, "chapter__strategy")
_rescope(BudgetLine, "strategy")
_rescope(Allocation, "line__strategy")
