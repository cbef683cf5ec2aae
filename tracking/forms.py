"""The staff's forms of the tracking: what they read from a post, before the services check the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from editing.services import REASON_LENGTH
from tracking.models import SOURCE_LENGTH, TEXT_LENGTH, TITLE_LENGTH, Authority, Status
from tracking.services import InitiativeEdit, MeasurementInput, MilestoneEdit, NewStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReasonField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(label=_("Reason for the change (stored with it)"), max_length=REASON_LENGTH, **kwargs)


class InitiativeForm(forms.Form):
    authority = forms.ModelChoiceField(
        label=_("Responsible authority"), queryset=Authority.objects.all(), required=False, empty_label=_("None")
    )
    status = forms.ChoiceField(
        label=_("New status"), choices=[("", _("No new status")), *Status.choices], required=False
    )
    as_of = forms.DateField(label=_("Date the status refers to"), required=False, widget=DATE)
    text = forms.CharField(
        label=_("Public text of the status"),
        required=False,
        max_length=TEXT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 60}),
    )
    remove = forms.TypedMultipleChoiceField(
        label=_("Remove these status updates"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    reason = ReasonField()

    def __init__(self, *args, updates=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["remove"].choices = [(update.pk, str(update)) for update in updates]

    def clean(self):
        data = super().clean()
        if data.get("status") and not data.get("as_of"):
            self.add_error("as_of", _("Give the date the status refers to."))
        return data


class MilestoneForm(forms.Form):
    milestone = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title = forms.CharField(label=_("Milestone"), max_length=TITLE_LENGTH, required=False)
    planned = forms.DateField(label=_("Planned for"), required=False, widget=DATE)
    reached = forms.DateField(label=_("Reached on"), required=False, widget=DATE)
    delete = forms.BooleanField(label=_("Remove"), required=False)

    def edit(self) -> MilestoneEdit | None:
        """The milestone as left, or None for the blank row of a new one left blank."""
        data = self.cleaned_data
        if data.get("milestone") is None and not (data.get("title") or data.get("planned")):
            return None
        return MilestoneEdit(
            data.get("milestone"), data.get("title") or "", data.get("planned"), data.get("reached"), data["delete"]
        )


MilestoneFormSet = forms.formset_factory(MilestoneForm, extra=1, max_num=100, absolute_max=100, validate_max=True)


def initiative_edit(initiative, form: InitiativeForm, milestones) -> InitiativeEdit:
    data = form.cleaned_data
    new_status = NewStatus(data["status"], data["as_of"], data["text"]) if data.get("status") else None
    return InitiativeEdit(
        initiative.pk,
        authority=data["authority"],
        new_status=new_status,
        removed_statuses=set(data["remove"]),
        milestones=[edit for edit in (row.edit() for row in milestones) if edit is not None],
    )


class MeasurementForm(forms.Form):
    period = forms.CharField(
        label=_("Year, month or day it is for"), max_length=10, help_text=_("2025, 2025-06 or 2025-06-30")
    )
    value = forms.CharField(label=_("Value"), max_length=SOURCE_LENGTH)
    source = forms.CharField(label=_("Source (publisher and table, or citation)"), max_length=SOURCE_LENGTH)
    link = forms.CharField(label=_("Link to the source (optional)"), max_length=SOURCE_LENGTH, required=False)
    reason = ReasonField()

    def typed(self) -> MeasurementInput:
        data = self.cleaned_data
        return MeasurementInput(data["period"], data["value"], data["source"], data["link"])
