"""URLs of the payments pages (inside the language prefix)."""

from django.urls import URLPattern

app_name = "payments"

urlpatterns: list[URLPattern] = []
