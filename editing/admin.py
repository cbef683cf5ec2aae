from django.contrib import admin

from editing.models import StrategyEditor


@admin.register(StrategyEditor)
class StrategyEditorAdmin(admin.ModelAdmin):
    list_display = ["user", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["user__username"]
    autocomplete_fields = ["user"]
