"""URLs of the verifiable log's pages (inside the language prefix)."""

from django.urls import path

from mekong.trustlog import views

app_name = "trustlog"

urlpatterns = [path("log/verify/", views.verify, name="verify")]
