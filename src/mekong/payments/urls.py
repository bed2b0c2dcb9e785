"""URLs of the payments pages (inside the language prefix)."""

from django.urls import path

from mekong.payments import views

app_name = "payments"

urlpatterns = [
    path("", views.home, name="home"),
    path("qr/", views.my_qr, name="my_qr"),
    path("pay/", views.pay_qr, name="pay_qr"),
    path("send/", views.send, name="send"),
    path("confirm/", views.confirm, name="confirm"),
    path("quotes/<str:quote_id>/countdown/", views.quote_countdown, name="quote_countdown"),
    path("transfers/<str:payment_id>/", views.payment_detail, name="payment"),
    path("transfers/<str:payment_id>/pacs008.xml", views.payment_pacs008, name="pacs008"),
    path("transfers/<str:payment_id>/receipt.json", views.payment_receipt, name="receipt"),
    path("participant/", views.participant, name="participant"),
    path("review/", views.review, name="review"),
    path("review/<str:payment_id>/release/", views.review_release, name="review_release"),
    path("review/<str:payment_id>/reject/", views.review_reject, name="review_reject"),
]
