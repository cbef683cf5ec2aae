from django.urls import path

from editing import views

urlpatterns = [
    path("strategies/<slug:slug>/edit/", views.grid, name="grid"),
    path("strategies/<slug:slug>/changes/", views.change_log, name="change_log"),
    path("strategies/<slug:slug>/changes/export.xlsx", views.change_log_export, name="change_log_export"),
    path("strategies/<slug:slug>/changes/<str:save_id>/revert/", views.revert, name="revert_save"),
    path("strategies/<slug:slug>/changes/change/<int:event_id>/revert/", views.revert_one, name="revert_change"),
    path("strategies/<slug:slug>/baselines/", views.baselines, name="baselines"),
    path("strategies/<slug:slug>/import/", views.import_workbook, name="import_workbook"),
]
