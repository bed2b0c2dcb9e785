"""URLs of the customs document pages (inside the language prefix)."""

from django.urls import URLPattern

app_name = "customs"

urlpatterns: list[URLPattern] = []
