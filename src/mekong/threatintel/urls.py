"""URLs of the analyst pages (inside the language prefix)."""

from django.urls import path

from mekong.threatintel import views

app_name = "threatintel"

urlpatterns = [
    path("", views.home, name="home"),
    path("indicators/new/", views.indicator_new, name="indicator_new"),
    path("reports/new/", views.report_new, name="report_new"),
    path("groups/", views.groups, name="groups"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
    path("groups/<slug:slug>/members/", views.group_member_add, name="group_member_add"),
    path(
        "groups/<slug:slug>/members/<int:organisation_id>/remove/",
        views.group_member_remove,
        name="group_member_remove",
    ),
    path("export/bundle/", views.export_bundle, name="export_bundle"),
    path("export/csv/", views.export_csv, name="export_csv"),
    path("objects/<str:stix_id>/", views.object_detail, name="object"),
    path("objects/<str:stix_id>/sightings/", views.sighting_new, name="sighting_new"),
]
