"""URLs of the clearance pages (inside the language prefix)."""

from django.urls import URLPattern

app_name = "clearance"

urlpatterns: list[URLPattern] = []
