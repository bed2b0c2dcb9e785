"""Mekong Digital Economy Platform: one installable Django platform for the five GMS countries."""

__version__ = "0.1.0"
