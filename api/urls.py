from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from api import views

router = SimpleRouter()
router.register("strategies", views.StrategyViewSet)
router.register("chapters", views.ChapterViewSet)
router.register("initiatives", views.InitiativeViewSet)
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("frames", views.FrameViewSet)
router.register("footnotes", views.FootnoteViewSet)
router.register("published-totals", views.PublishedTotalViewSet)

urlpatterns = [
    path("allocations.csv", views.allocations_csv, name="api_allocations_csv"),
    path("comparison/", views.comparison, name="api_comparison"),
    path("footnotes.csv", views.export_csv, {"name": "footnotes"}, name="api_footnotes_csv"),
    path("published-totals.csv", views.export_csv, {"name": "published-totals"}, name="api_published_totals_csv"),
    path("frames.csv", views.export_csv, {"name": "frames"}, name="api_frames_csv"),
    path("initiatives.csv", views.export_csv, {"name": "initiatives"}, name="api_initiatives_csv"),
    path("versions.csv", views.export_csv, {"name": "versions"}, name="api_versions_csv"),
    path("fiscal-data-package.zip", views.fiscal_data_package, name="api_fiscal_data_package"),
    path("catalog.jsonld", views.catalog, name="api_catalog"),
    path("schema/", views.schema, name="api_schema"),
    # Status, milestones, targets, indicators and measured values (the tracking app).
    path("", include("tracking.api_urls")),
    path("", include(router.urls)),
    # Not the empty path: /api/ itself is the open data's page, in the language patterns.
    re_path(r"^(?P<path>.+)$", views.not_found, name="api_not_found"),
]
