from functools import reduce
from operator import or_

import pghistory
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db.models import Q, QuerySet
from django.forms.models import InlineForeignKeyField as InlineParent
from django.utils.translation import gettext_lazy as _

from budgets.models import Allocation, BudgetLine, Footnote, FundingFrame, PublishedTotal
from editing.models import StrategyEditor
from editing.permissions import can_edit
from editing.services import REASON_LENGTH, add_budget_line
from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy

# The path from each model a form may link to, to the strategy it belongs to.
STRATEGY_PATHS = {
    Strategy: "pk",
    Chapter: "strategy",
    Initiative: "chapter__strategy",
    BudgetLine: "strategy",
    Footnote: "strategy",
    FundingFrame: "strategy",
}


# Fields that join two strategies by design: a link from an initiative to its predecessor in an earlier one.
CROSSING = {InitiativeLink: ("predecessor", "successor")}


def strategy_of(obj):
    """The strategy ``obj`` belongs to, as a Strategy."""
    path = STRATEGY_PATHS[type(obj)]
    if path == "pk":
        return obj
    for step in path.split("__"):
        obj = getattr(obj, step)
    return obj


def editable_strategy_ids(request) -> list[int]:
    """The strategies the user may edit, asked once per request: every choice of every form asks."""
    if not hasattr(request, "_editable_strategy_ids"):
        request._editable_strategy_ids = [
            strategy.pk for strategy in Strategy.objects.all() if can_edit(request.user, strategy)
        ]
    return request._editable_strategy_ids


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


class OneStrategyForm(forms.ModelForm):
    """A form whose object, and everything it links to, stay in one strategy: the one the object belongs to.

    The pages build a strategy from its own rows; a 2021 line linked to a 2030 initiative broke them. The
    database refuses such a link too (budgets migration 0006); this says why in the form instead of a 500.
    """

    def clean(self):
        data = super().clean()
        if data.get("DELETE"):  # an inline row being removed may be the very link that crossed
            return data
        owner = strategy_of(self.instance) if self.instance.pk and type(self.instance) in STRATEGY_PATHS else None
        # An inline's parent comes first: the rows added below it join its strategy.
        for name, value in sorted(
            data.items(), key=lambda item: not isinstance(self.fields.get(item[0]), InlineParent)
        ):
            if name in CROSSING.get(self._meta.model, ()):
                continue
            for item in value if isinstance(value, QuerySet | list | tuple) else [value]:
                if type(item) not in STRATEGY_PATHS:
                    continue
                strategy = strategy_of(item)
                if owner is None:
                    owner = strategy
                elif strategy != owner:
                    self.add_error(
                        name,
                        _(
                            "Everything linked here must belong to one strategy (%(strategy)s); "
                            "this belongs to %(other)s."
                        )
                        % {"strategy": owner, "other": strategy},
                    )
                    break
        return data


class ReasonForm(OneStrategyForm):
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


class EditableChoices:
    """Offer an editor only objects of the strategies they edit in every choice of a form, inlines included."""

    def _limited(self, db_field, request, kwargs):
        path = STRATEGY_PATHS.get(db_field.related_model)
        crossing = db_field.name in CROSSING.get(self.model, ())
        if path is not None and not request.user.is_superuser and not crossing:
            allowed = editable_strategy_ids(request)
            kwargs["queryset"] = db_field.related_model._default_manager.filter(**{f"{path}__in": allowed})
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **self._limited(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **self._limited(db_field, request, kwargs))


class ScopedToEditableStrategies(EditableChoices):
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        allowed = editable_strategy_ids(request)
        paths = [self.strategy_path] if isinstance(self.strategy_path, str) else self.strategy_path
        return queryset.filter(reduce(or_, (Q(**{f"{path}__in": allowed}) for path in paths)))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.editable = None if request.user.is_superuser else set(editable_strategy_ids(request))
        return form


def _rescope(model, strategy_path, **attributes):
    """Re-register a model's admin with the scoping above, keeping everything else it declares."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    inlines = [_scoped_inline(inline) for inline in base.inlines]
    scoped = type(
        f"Scoped{base.__name__}",
        (ScopedToEditableStrategies, base),
        {"strategy_path": strategy_path, "inlines": inlines, **attributes},
    )
    admin.site.register(model, scoped)


def _scoped_inline(inline):
    """The inline with the choices of the strategies the editor edits, and its rows kept in the parent's strategy."""
    form = type(f"OneStrategy{inline.form.__name__}", (OneStrategyForm, inline.form), {})
    return type(f"Scoped{inline.__name__}", (EditableChoices, inline), {"form": form})


def _one_strategy(model):
    """Re-register a model's admin (superusers' only) with its links kept inside one strategy."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    form = type(f"OneStrategy{base.form.__name__}", (OneStrategyForm, base.form), {})
    admin.site.register(model, type(f"OneStrategy{base.__name__}", (base,), {"form": form}))


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
_one_strategy(Footnote)
_one_strategy(PublishedTotal)
