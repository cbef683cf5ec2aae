import pghistory
from django.contrib import admin

from editing.admin import ReasonForm
from tracking.models import Authority


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    """The list of responsible authorities the tracking pages offer; every save asks why, as the grid does."""

    form = ReasonForm
    fields = ["name", "change_reason"]
    list_display = ["name"]
    search_fields = ["name"]

    def save_model(self, request, obj, form, change):
        with pghistory.context(reason=form.cleaned_data["change_reason"], username=request.user.get_username()):
            super().save_model(request, obj, form, change)
