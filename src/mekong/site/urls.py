"""URLs of the site shell (inside the language prefix)."""

from django.urls import path

from mekong.site import views

app_name = "site"

urlpatterns = [path("", views.home, name="home")]
