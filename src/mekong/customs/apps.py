"""Django app configuration for customs documents (issuing, trust list, verification)."""

from django.apps import AppConfig


class CustomsConfig(AppConfig):
    name = "mekong.customs"
    label = "customs"
    verbose_name = "Paperless trade: documents"
