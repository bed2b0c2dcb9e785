"""URLs of the marketplace pages (inside the language prefix)."""

from django.urls import path

from mekong.marketplace import views

app_name = "marketplace"

urlpatterns = [
    path("marketplace/", views.home, name="home"),
    path("marketplace/products/<slug:slug>/", views.product_detail, name="product"),
    path("marketplace/sellers/<slug:slug>/", views.storefront, name="storefront"),
]
