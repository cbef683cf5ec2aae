from django.shortcuts import get_object_or_404, render

from budgets.figures import budget_table, strategy_summaries
from initiatives.models import Strategy


def strategy_list(request):
    return render(request, "budgets/strategy_list.html", {"summaries": strategy_summaries()})


def strategy_detail(request, slug):
    strategy = get_object_or_404(Strategy, slug=slug)
    return render(request, "budgets/strategy_detail.html", {"strategy": strategy, "table": budget_table(strategy)})
