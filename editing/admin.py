from functools import reduce
from operator import or_

import pghistory
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from budgets.models import Allocation, BudgetLine, FundingFrame
from editing.models import StrategyEditor
from editing.permissions import can_edit
from editing.services import REASON_LENGTH, add_budget_line
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy


@admin.register(StrategyEditor)
class StrategyEditorAdmin(admin.ModelAdmin):
    list_display = ["user", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]


class UserAdminForAdministrators(UserAdmin):
    """Administrators manage users, but only a superuser makes superusers or hands out single permissions:
    otherwise an administrator could make themselves a superuser."""

    def get_queryset(self, request):
        users = super().get_queryset(request)
        return users if request.user.is_superuser else users.filter(is_superuser=False)

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return fields if request.user.is_superuser else [*fields, "is_superuser", "user_permissions"]


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), UserAdminForAdministrators)


class ReasonForm(forms.ModelForm):
    change_reason = forms.CharField(
        label=_("Reason for the change (stored with it)"), max_length=REASON_LENGTH, required=True
    )


class LinkForm(ReasonForm):
    """A link joins two initiatives; an editor may make or change one only where they edit either end."""

    editable = None  # the strategies the user edits; None: every strategy

    def clean(self):
        data = super().clean()
        ends = [data.get("predecessor"), data.get("successor")]
        if self.editable is not None and not any(end and end.chapter.strategy_id in self.editable for end in ends):
            raise forms.ValidationError(_("A link must join an initiative of a strategy you edit."))
        return data


class ScopedToEditableStrategies:
    """Admin pages that show an editor only the strategies they may edit, and let them change nothing else.

    Every save asks for a reason, recorded with the change like the grid's.
    """

    # The path from the model to its strategy; with several, a row is the editor's when any of them leads to a
    # strategy they edit.
    strategy_path: str | tuple[str, ...] = "strategy"
    form = ReasonForm

    def save_model(self, request, obj, form, change):
        with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
            super().save_related(request, form, formsets, change)

    def _strategies(self, request):
        return [strategy.pk for strategy in Strategy.objects.all() if can_edit(request.user, strategy)]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = self._strategies(request)
        paths = [self.strategy_path] if isinstance(self.strategy_path, str) else self.strategy_path
        return queryset.filter(reduce(or_, (Q(**{f"{path}__in": allowed}) for path in paths)))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.editable = None if request.user.is_superuser else set(self._strategies(request))
        return form

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


def _rescope(model, strategy_path, **attributes):
    """Re-register a model's admin with the scoping above, keeping everything else it declares."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    scoped = type(
        f"Scoped{base.__name__}", (ScopedToEditableStrategies, base), {"strategy_path": strategy_path, **attributes}
    )
    admin.site.register(model, scoped)


_rescope(Chapter, "strategy")
_rescope(Initiative, "chapter__strategy")


class InitiativeWithItsLine(type(admin.site._registry[Initiative])):
    """A new initiative gets its own row in the budget grid, so money can be put on it at once."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change:
            with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
                add_budget_line(obj)


admin.site.unregister(Initiative)
admin.site.register(Initiative, InitiativeWithItsLine)
_rescope(BudgetLine, "strategy")
_rescope(Allocation, "line__strategy")
_rescope(FundingFrame, "strategy")
_rescope(InitiativeLink, ("predecessor__chapter__strategy", "successor__chapter__strategy"), form=LinkForm)
