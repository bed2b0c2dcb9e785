"""Tariff schedules, VAT and de minimis rules per importing country (see SOURCE.md)."""
