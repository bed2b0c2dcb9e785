"""Django app configuration for the payments hub."""

from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "mekong.payments"
    label = "payments"
    verbose_name = "Payments"
