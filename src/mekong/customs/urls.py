"""URLs of the customs document pages (inside the language prefix)."""

from django.urls import path

from mekong.customs import views

app_name = "customs"

urlpatterns = [
    path("", views.home, name="home"),
    path("documents/new/<slug:kind>/", views.document_new, name="new"),
    path("documents/<uuid:document_id>/", views.document_detail, name="document"),
    path("documents/<uuid:document_id>/file/", views.document_download, name="file"),
    path("authority/", views.authority, name="authority"),
    path("verify/", views.verify, name="verify"),
]
