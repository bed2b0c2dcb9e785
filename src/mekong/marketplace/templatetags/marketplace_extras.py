"""Template helpers for product pages: the image gallery and sanitised rich-text descriptions."""

from __future__ import annotations

from django import template
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from mekong.marketplace.images import LARGE, SMALL, thumb_width
from mekong.marketplace.richtext import description_html
from mekong.marketplace.selectors import product_images

register = template.Library()


@register.simple_tag
def product_gallery(slug: str, title: str = "") -> SafeString:
    """The product's photos in order (large thumbnail with a ``srcset``, lazy after the first).

    ``title`` is the alt text of photos the seller did not describe. Renders nothing without
    photos. One query.
    """
    images = product_images(slug)
    if not images:
        return mark_safe("")
    photos = [
        {
            "small": image.thumb_small.url,
            "large": image.thumb_large.url,
            "small_w": thumb_width(image, SMALL),
            "large_w": thumb_width(image, LARGE),
            "width": thumb_width(image, LARGE),
            "height": max(1, round(image.height * thumb_width(image, LARGE) / image.width)),
            "alt": image.alt_text or title,
            "original": image.original.url,
        }
        for image in images
    ]
    return render_to_string("marketplace/_gallery.html", {"photos": photos})


@register.filter
def rich_text(text: str) -> SafeString:
    """A stored description for display: sanitised again (defence in depth) to the allowed
    tags; plain text keeps its paragraphs and line breaks and is escaped."""
    # description_html returns nh3 output only: every character outside the allowed tags
    # is escaped, so marking it safe is what makes the markup show, not a bypass.
    return mark_safe(description_html(str(text or "")))  # noqa: S308
