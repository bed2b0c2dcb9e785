"""Template helpers for product pages: the image gallery and sanitised rich-text descriptions."""

from __future__ import annotations

from django import template
from django.template.defaultfilters import linebreaks_filter
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def product_gallery(slug: str) -> SafeString:
    """The product's photos (none until image upload lands)."""
    return mark_safe("")


@register.filter
def rich_text(text: str) -> SafeString:
    """A description for display: escaped, paragraphs kept (sanitised HTML comes later)."""
    return linebreaks_filter(text, autoescape=True)
