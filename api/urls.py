from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from api import views

router = SimpleRouter()
router.register("strategies", views.StrategyViewSet)
router.register("chapters", views.ChapterViewSet)
router.register("initiatives", views.InitiativeViewSet)
router.register("allocations", views.AllocationViewSet, basename="allocation")
router.register("frames", views.FrameViewSet)

urlpatterns = [
    path("allocations.csv", views.allocations_csv, name="api_allocations_csv"),
    path("comparison/", views.comparison, name="api_comparison"),
    path("fiscal-data-package.zip", views.fiscal_data_package, name="api_fiscal_data_package"),
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    # Status, milestones, targets, indicators and measured values (the tracking app).
    path("", include("tracking.api_urls")),
    path("", include(router.urls)),
]
