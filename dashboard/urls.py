from django.urls import path

from dashboard import site, views

urlpatterns = [
    path("", views.overview, name="overview"),
    path("strategies/<slug:slug>/", views.strategy_detail, name="strategy_detail"),
    path("initiatives/", views.initiative_list, name="initiative_list"),
    path("initiatives/<int:pk>/", views.initiative_detail, name="initiative_detail"),
    path("compare/", views.compare, name="compare"),
    path("compare/export.xlsx", views.compare_export, name="compare_export"),
    path("export.xlsx", views.all_export, name="all_export"),
    path("strategies/<slug:slug>/export.xlsx", views.strategy_export, name="strategy_export"),
    path("sources/", site.sources, name="sources"),
    path("sources/<str:name>", views.source_document, name="source_document"),
    path("accessibility/", site.accessibility, name="accessibility"),
    # Charts alone, for other sites to show in a frame (the "Share / embed" box of each chart page).
    path("embed/", views.embed_overview, name="embed_overview"),
    path("embed/strategies/<slug:slug>/", views.embed_strategy, name="embed_strategy"),
    path("embed/compare/", views.embed_compare, name="embed_compare"),
    path("embed/initiatives/<int:pk>/", views.embed_initiative, name="embed_initiative"),
]
