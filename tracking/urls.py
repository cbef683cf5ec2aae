from django.urls import path

from tracking import staff, views

urlpatterns = [
    path("strategies/<slug:slug>/progress/", views.progress, name="progress"),
    path("strategies/<slug:slug>/targets/", views.targets, name="targets"),
    path("strategies/<slug:slug>/targets/<int:number>/", views.target_detail, name="target_detail"),
    # Staff only.
    path("strategies/<slug:slug>/tracking/", staff.overview, name="tracking"),
    path("strategies/<slug:slug>/tracking/<int:pk>/", staff.edit_initiative, name="edit_tracking"),
    path("strategies/<slug:slug>/tracking/import/", staff.import_status, name="import_status"),
    path("strategies/<slug:slug>/tracking/status.xlsx", staff.status_template, name="status_template"),
    path("strategies/<slug:slug>/targets/<int:number>/measurements/", staff.measurements, name="measurements"),
]
