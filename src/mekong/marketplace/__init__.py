"""Marketplace (L4): seller storefronts, the multilingual product catalogue and its search."""
