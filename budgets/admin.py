from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from budgets.models import Allocation, BudgetLine, Footnote, FrameAmount, FundingFrame, PublishedTotal


class AllocationInline(admin.TabularInline):
    model = Allocation
    extra = 0
    fields = ["year", "kind", "amount", "text"]


@admin.register(BudgetLine)
class BudgetLineAdmin(admin.ModelAdmin):
    list_display = ["position", "title", "covered_numbers", "chapter", "strategy", "kind"]
    list_display_links = ["title"]
    list_filter = ["strategy", "chapter", "kind"]
    search_fields = ["title", "initiatives__title", "initiatives__number"]
    list_select_related = ["strategy", "chapter"]
    autocomplete_fields = ["chapter", "initiatives"]
    filter_horizontal = ["footnotes"]
    inlines = [AllocationInline]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("initiatives")

    @admin.display(description=_("initiatives"))
    def covered_numbers(self, line):
        return ", ".join(initiative.number for initiative in line.initiatives.all() if initiative.number)


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ["line", "year", "kind", "amount", "text"]
    list_filter = ["line__strategy", "line__chapter", "year", "kind"]
    search_fields = ["line__title", "text"]
    list_select_related = ["line"]
    autocomplete_fields = ["line"]


class FrameAmountInline(admin.TabularInline):
    model = FrameAmount
    extra = 0


@admin.register(FundingFrame)
class FundingFrameAdmin(admin.ModelAdmin):
    list_display = ["name", "strategy", "kind"]
    list_filter = ["strategy", "kind"]
    search_fields = ["name"]
    inlines = [FrameAmountInline]


@admin.register(Footnote)
class FootnoteAdmin(admin.ModelAdmin):
    list_display = ["marker", "strategy", "text"]
    list_filter = ["strategy"]
    search_fields = ["text"]


@admin.register(PublishedTotal)
class PublishedTotalAdmin(admin.ModelAdmin):
    list_display = ["strategy", "chapter", "year", "amount", "explained_difference", "footnote"]
    list_filter = ["strategy", "chapter", "year"]
    search_fields = ["chapter__title"]
    list_select_related = ["strategy", "chapter", "footnote"]
