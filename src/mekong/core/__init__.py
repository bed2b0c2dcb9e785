"""Shared kernel: countries, currencies, money, clock, errors, events, audit and text."""
