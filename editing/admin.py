from collections import defaultdict
from functools import reduce
from operator import or_

import pghistory
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.db.models import Q, QuerySet
from django.forms.models import InlineForeignKeyField as InlineParent
from django.shortcuts import redirect
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from budgets.admin import AllocationInline
from budgets.cells import format_cell, format_value, parse_cell
from budgets.models import Allocation, BudgetLine, Footnote, FundingFrame, PublishedTotal
from budgets.text import has_control_characters
from editing.models import StrategyEditor
from editing.permissions import can_edit
from editing.services import REASON_LENGTH, CellEdit, GridError, add_budget_line, save_grid
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

    def clean_change_reason(self):
        # The same rule as the grid's (editing.services.validate): the reason is recorded and exported.
        reason = self.cleaned_data["change_reason"]
        if has_control_characters(reason):
            raise forms.ValidationError(gettext("The reason holds an invisible control character; type it again."))
        return reason


class LinkForm(ReasonForm):
    """A link joins two initiatives; an editor may make or change one only where they edit either end."""

    editable = None  # the strategies the user edits; None: every strategy

    def clean(self):
        data = super().clean()
        ends = [data.get("predecessor"), data.get("successor")]
        if self.editable is not None and not any(end and end.chapter.strategy_id in self.editable for end in ends):
            raise forms.ValidationError(_("A link must join an initiative of a strategy you edit."))
        return data


def _reason_refused(request) -> bool:
    """Whether the reason posted with a deletion is missing or unfit to record, after telling the user why."""
    reason = request.POST.get("change_reason", "").strip()
    if not reason:
        messages.error(request, gettext("Say briefly why you make this change."))
    elif len(reason) > REASON_LENGTH:
        messages.error(request, gettext("The reason may be at most %(length)d characters.") % {"length": REASON_LENGTH})
    elif has_control_characters(reason):
        messages.error(request, gettext("The reason holds an invisible control character; type it again."))
    else:
        return False
    return True


@admin.action(permissions=["delete"], description=_("Delete selected %(verbose_name_plural)s"))
def delete_selected(modeladmin, request, queryset):
    """Django's "delete selected", which asks for a reason first, recorded with the deletions like any change."""
    if request.POST.get("post") and _reason_refused(request):
        # Without "post", Django's action shows its confirmation again, now with the message.
        request.POST = request.POST.copy()
        del request.POST["post"]
    return django_delete_selected(modeladmin, request, queryset)


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

    Every save and every deletion asks for a reason, recorded with the change and the user's name like the grid's.
    """

    # The path from the model to its strategy; with several, a row is the editor's when any of them leads to a
    # strategy they edit.
    strategy_path: str | tuple[str, ...] = "strategy"
    form = ReasonForm
    actions = [delete_selected]
    delete_confirmation_template = "admin/delete_with_reason.html"
    delete_selected_confirmation_template = "admin/delete_selected_with_reason.html"

    def save_model(self, request, obj, form, change):
        with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
            super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
            super().save_related(request, form, formsets, change)

    def delete_view(self, request, object_id, extra_context=None):
        if request.method == "POST":
            obj = self.get_object(request, unquote(object_id))
            # Whoever may not delete it, or cannot see it, is answered by Django's view as before.
            if obj is not None and self.has_delete_permission(request, obj) and _reason_refused(request):
                return redirect(request.path)
        return super().delete_view(request, object_id, extra_context)

    def delete_model(self, request, obj):
        with pghistory.context(reason=request.POST["change_reason"].strip(), username=request.user.get_username()):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with pghistory.context(reason=request.POST["change_reason"].strip(), username=request.user.get_username()):
            super().delete_queryset(request, queryset)

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


def _rescope(model, strategy_path, *mixins, **attributes):
    """Re-register a model's admin with the scoping above (and any mixins), keeping everything else it declares."""
    base = type(admin.site._registry[model])
    admin.site.unregister(model)
    inlines = [_scoped_inline(inline) for inline in type("Composed", (*mixins, base), {}).inlines]
    scoped = type(
        f"Scoped{base.__name__}",
        (*mixins, ScopedToEditableStrategies, base),
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


class CellForm(forms.ModelForm):
    """A cell in the admin, read as the grid reads it: its value in one field (an amount, "ukendt" or a text
    saying the money is financed elsewhere), its remark and correction mark apart, and the version it showed, so
    an edit made on an old page is refused as the grid refuses it. The grid's service saves it."""

    value = forms.CharField(
        label=_("cell"), max_length=200, help_text=_("An amount (16,8), “ukendt”, or a text such as “Er finansieret”.")
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Allocation
        fields = ["line", "year", "value", "remark", "is_correction", "seen_version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.parsed = None
        if self.instance.pk:
            self.initial.setdefault("value", format_value(self.instance))
            self.initial.setdefault("seen_version", self.instance.version)

    def clean(self):
        data = super().clean()
        try:
            self.parsed = parse_cell(
                data.get("value", ""), data.get("remark", ""), correction=bool(data.get("is_correction"))
            )
        except ValueError as error:
            self.add_error("value", str(error))
        else:
            if self.parsed is None:
                self.add_error("value", gettext("Write what the cell holds; to empty it, delete the cell."))
        line, year = data.get("line") or getattr(self.instance, "line", None), data.get("year")
        if line is not None and year is not None and year not in line.strategy.years:
            self.add_error(
                "year",
                gettext("%(year)s is outside the strategy's period %(first)s–%(last)s.")
                % {"year": year, "first": line.strategy.first_year, "last": line.strategy.last_year},
            )
        if self.instance.pk:
            if (line, year) != (self.instance.line, self.instance.year):
                self.add_error("year", gettext("A cell keeps its line and year; delete it and add another instead."))
            if self.has_changed() and data.get("seen_version") != self.instance.version:
                raise forms.ValidationError(
                    gettext("Someone saved this cell after you opened it; it now holds %(now)s. Open it again.")
                    % {"now": format_cell(self.instance)}
                )
        return data

    def edit(self) -> CellEdit:
        """The form as the grid's service takes it."""
        line = self.cleaned_data.get("line") or self.instance.line
        version = self.instance.version if self.instance.pk else None
        return CellEdit(line.pk, self.cleaned_data["year"], self.parsed, version)


class CellAdminForm(CellForm, ReasonForm):
    pass


def save_cells(request, edits: list[CellEdit], reason: str) -> None:
    """Cells changed in the admin, saved by the grid's service: validated by the same rules, each a new version,
    recorded as one save per strategy with its id, the user and the reason, so the change log can revert it."""
    by_strategy = defaultdict(list)
    strategies = dict(BudgetLine.objects.filter(pk__in={edit.line_id for edit in edits}).values_list("pk", "strategy"))
    for edit in edits:
        by_strategy[strategies[edit.line_id]].append(edit)
    with transaction.atomic():
        for strategy_id, strategy_edits in by_strategy.items():
            try:
                result = save_grid(Strategy.objects.get(pk=strategy_id), request.user, strategy_edits, reason)
            except GridError as error:
                # The form checked the same rules a moment ago; only a change made meanwhile gets here.
                messages.error(request, str(error))
                transaction.set_rollback(True)
                return
            if result.conflicts:
                messages.error(
                    request,
                    gettext("Someone saved a cell meanwhile; it was left as they saved it. Open it again."),
                )


class CellAdmin:
    """Cells in the admin, saved and deleted through the grid's service (editing.services.save_grid)."""

    form = CellAdminForm
    fields = ["line", "year", "value", "remark", "is_correction", "seen_version", "change_reason"]
    list_display = ["line", "year", "kind", "amount", "text", "remark", "version"]

    def save_model(self, request, obj, form, change):
        save_cells(request, [form.edit()], form.cleaned_data["change_reason"])
        saved = Allocation.objects.filter(line=obj.line, year=obj.year).first()
        if saved is not None:
            obj.pk = saved.pk
            obj.refresh_from_db()

    def delete_model(self, request, obj):
        self.delete_queryset(request, Allocation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        edits = [CellEdit(cell.line_id, cell.year, None, cell.version) for cell in queryset]
        save_cells(request, edits, request.POST["change_reason"].strip())


class CellInline(AllocationInline):
    form = CellForm
    fields = ["year", "value", "remark", "is_correction", "seen_version"]


class LineWithItsCells:
    """A budget line's cells, edited under it, saved as one save of the grid's service with the line's reason."""

    inlines = [CellInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not Allocation:
            return super().save_formset(request, form, formset, change)
        deleted = [cell for cell in formset.deleted_forms if cell.instance.pk]
        edits = [CellEdit(cell.instance.line_id, cell.instance.year, None, cell.instance.version) for cell in deleted]
        changed = [cell for cell in formset.forms if cell not in deleted and cell.has_changed() and cell.parsed]
        edits += [cell.edit() for cell in changed]
        if edits:
            save_cells(request, edits, form.cleaned_data["change_reason"])
        formset.new_objects = [cell.instance for cell in changed if not cell.instance.pk]
        formset.changed_objects = [(cell.instance, cell.changed_data) for cell in changed if cell.instance.pk]
        formset.deleted_objects = [cell.instance for cell in deleted]


_rescope(BudgetLine, "strategy", LineWithItsCells)
_rescope(Allocation, "line__strategy", CellAdmin)
_rescope(FundingFrame, "strategy")
_rescope(InitiativeLink, ("predecessor__chapter__strategy", "successor__chapter__strategy"), form=LinkForm)
_one_strategy(Footnote)
_one_strategy(PublishedTotal)
