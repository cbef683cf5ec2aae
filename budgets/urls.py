from django.urls import path

from budgets import views

urlpatterns = [
    path("", views.strategy_list, name="strategy_list"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy_detail"),
]
