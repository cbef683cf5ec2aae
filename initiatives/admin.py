from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from initiatives.models import Chapter, Initiative, InitiativeLink, Strategy


class ChapterInline(admin.TabularInline):
    model = Chapter
    extra = 0
    fields = ["number", "title", "source"]


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["short_title", "title", "first_year", "last_year", "price_basis", "published_year"]
    search_fields = ["title", "short_title"]
    prepopulated_fields = {"slug": ["short_title"]}
    inlines = [ChapterInline]


@admin.register(Chapter)
class ChapterAdmin(admin.ModelAdmin):
    list_display = ["__str__", "strategy", "retired_on"]
    list_filter = ["strategy"]
    search_fields = ["title"]
    list_select_related = ["strategy"]


class SuccessorInline(admin.TabularInline):
    model = InitiativeLink
    fk_name = "predecessor"
    extra = 0
    autocomplete_fields = ["successor"]
    verbose_name = _("successor in a later strategy")
    verbose_name_plural = _("successors in later strategies")


class PredecessorInline(SuccessorInline):
    fk_name = "successor"
    autocomplete_fields = ["predecessor"]
    verbose_name = _("predecessor in an earlier strategy")
    verbose_name_plural = _("predecessors in earlier strategies")


class BudgetLineCoverageInline(admin.TabularInline):
    model = Initiative.budget_lines.through
    extra = 0
    autocomplete_fields = ["budgetline"]
    # Allocations are edited inline on the budget line; this link leads there.
    show_change_link = True
    verbose_name = _("budget line that funds this initiative")
    verbose_name_plural = _("budget lines that fund this initiative")


@admin.register(Initiative)
class InitiativeAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "chapter", "strategy_title", "theme", "retired_on"]
    list_display_links = ["number", "title"]
    list_filter = ["chapter__strategy", "chapter", "theme", ("retired_on", admin.EmptyFieldListFilter)]
    search_fields = ["title", "number"]
    list_select_related = ["chapter__strategy"]
    autocomplete_fields = ["chapter"]
    inlines = [BudgetLineCoverageInline, PredecessorInline, SuccessorInline]

    @admin.display(description=_("strategy"), ordering="chapter__strategy__first_year")
    def strategy_title(self, initiative):
        return initiative.chapter.strategy


@admin.register(InitiativeLink)
class InitiativeLinkAdmin(admin.ModelAdmin):
    list_display = ["predecessor", "successor", "relation"]
    list_filter = ["relation", "successor__chapter__strategy"]
    search_fields = ["predecessor__title", "successor__title"]
    autocomplete_fields = ["predecessor", "successor"]
