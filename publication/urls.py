from django.urls import path

from publication import views

urlpatterns = [
    path("strategies/<slug:slug>/publish/", views.publish, name="publish"),
    path("strategies/<slug:slug>/versions/", views.version_list, name="versions"),
    path("strategies/<slug:slug>/versions/<int:number>/cancel/", views.cancel, name="cancel_publication"),
    path("strategies/<slug:slug>/as-published/", views.as_published, name="as_published"),
    path("feeds/publications.atom", views.publications_feed, name="publications_feed"),
]
