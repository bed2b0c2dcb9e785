"""URLs of the clearance pages (inside the language prefix, under ``customs/clearance/``)."""

from __future__ import annotations

from django.urls import URLPattern, path

from mekong.customs.clearance import views

app_name = "clearance"

urlpatterns: list[URLPattern] = [
    path("", views.home, name="home"),
    path("lodge/", views.lodge, name="lodge"),
    path("queue/", views.queue, name="queue"),
    path("<int:declaration_id>/", views.detail, name="detail"),
    path("<int:declaration_id>/release/", views.release, name="release"),
    path("<int:declaration_id>/hold/", views.hold, name="hold"),
    path("<int:declaration_id>/request-information/", views.request_info, name="request_info"),
    path("<int:declaration_id>/supply-information/", views.supply_info, name="supply_info"),
]
