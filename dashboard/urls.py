from django.urls import path

from dashboard import views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy_detail"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("compare/", views.compare, name="compare"),
    path("compare/export.xlsx", views.compare_export, name="compare_export"),
    path("export.xlsx", views.all_export, name="all_export"),
    path("strategies/<slug:slug>/export.xlsx", views.strategy_export, name="strategy_export"),
    path("sources/<str:name>", views.source_document, name="source_document"),
]
