"""URLs of the marketplace pages (inside the language prefix)."""

from django.urls import path

from mekong.marketplace import buying_views, product_views, seller_views, views

app_name = "marketplace"

urlpatterns = [
    path("marketplace/", views.home, name="home"),
    path("marketplace/products/<slug:slug>/", views.product_detail, name="product"),
    path("marketplace/sellers/<slug:slug>/", views.storefront, name="storefront"),
    path("marketplace/currency/", buying_views.set_currency, name="currency"),
    path("marketplace/cart/", buying_views.cart_page, name="cart"),
    path("marketplace/cart/add/<slug:slug>/", buying_views.cart_add, name="cart_add"),
    path("marketplace/cart/update/", buying_views.cart_update, name="cart_update"),
    path("marketplace/checkout/", buying_views.checkout, name="checkout"),
    path("marketplace/orders/", buying_views.orders_page, name="orders"),
    path("marketplace/orders/<uuid:order_id>/", buying_views.order_page, name="order"),
    path(
        "marketplace/orders/<uuid:order_id>/<slug:action>/",
        buying_views.order_action,
        name="order_action",
    ),
    path("marketplace/seller/", seller_views.dashboard, name="dashboard"),
    path("marketplace/seller/apply/", seller_views.apply, name="apply"),
    path("marketplace/seller/products/", product_views.product_list, name="seller_products"),
    path("marketplace/seller/products/new/", product_views.product_edit, name="product_new"),
    path(
        "marketplace/seller/products/<slug:slug>/edit/",
        product_views.product_edit,
        name="product_edit",
    ),
    path("marketplace/operator/", seller_views.operator, name="operator"),
    path("marketplace/rfq/", seller_views.rfqs, name="rfqs"),
]
