"""URLs of the TAXII 2.1 server, mounted at ``/taxii2/`` outside the language prefix."""

from django.urls import path, re_path

from mekong.threatintel import taxii

app_name = "taxii"

_COLL = "<slug:root>/collections/<uuid:collection_id>/"

urlpatterns = [
    path("", taxii.discovery, name="discovery"),
    path("<slug:root>/", taxii.api_root, name="api_root"),
    path("<slug:root>/status/<uuid:status_id>/", taxii.status, name="status"),
    path("<slug:root>/collections/", taxii.collections, name="collections"),
    path(_COLL, taxii.collection, name="collection"),
    path(_COLL + "manifest/", taxii.manifest, name="manifest"),
    path(_COLL + "objects/", taxii.objects, name="objects"),
    path(_COLL + "objects/<str:object_id>/", taxii.object_detail, name="object"),
    path(_COLL + "objects/<str:object_id>/versions/", taxii.versions, name="versions"),
    re_path(r"^(?P<rest>.*)$", taxii.not_found, name="not_found"),
]
