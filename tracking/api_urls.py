from django.urls import path

from tracking.api import VIEWS

urlpatterns = []
for identifier, (as_json, as_csv) in VIEWS.items():
    urlpatterns += [
        path(f"{identifier}/", as_json, name=f"api_{identifier.replace('-', '_')}"),
        path(f"{identifier}.csv", as_csv, name=f"api_{identifier.replace('-', '_')}_csv"),
    ]
