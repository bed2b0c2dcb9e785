"""Seller descriptions as a small, safe subset of HTML (sanitised with nh3, the Rust ammonia).

Descriptions are sanitised when written (:mod:`mekong.marketplace.services`) and again when
shown (the ``|rich_text`` filter), so a row written before sanitising existed, or by hand, is
still safe. Plain-text descriptions (the demo catalogue, older rows) are HTML without tags once
sanitised: their characters are escaped and their blank-line paragraphs are kept on display.
The search index gets :func:`description_text`, the words without the markup.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS: frozenset[str] = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4"}
)
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {"a": {"href"}}
URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener"

_BLOCK = re.compile(r"<(p|ul|ol|h3|h4)[\s>]", re.IGNORECASE)
_BREAKS = re.compile(r"<(br|/p|/li|/h3|/h4|/ul|/ol)\b[^>]*>", re.IGNORECASE)
_PARAGRAPHS = re.compile(r"\n\s*\n")


def sanitize_description(text: str) -> str:
    """The description reduced to the allowed tags; scripts, event handlers, styles and
    ``javascript:`` links are removed and every link gets ``rel="nofollow noopener"``."""
    return nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def description_text(sanitized: str) -> str:
    """The words of a sanitised description without markup (for the search index)."""
    spaced = _BREAKS.sub("\n", sanitized)
    stripped = nh3.clean(spaced, tags=set(), attributes={}, strip_comments=True)
    return html.unescape(stripped).strip()


def description_html(stored: str) -> str:
    """HTML to display a stored description: sanitised again; text without block markup gets
    its paragraphs (blank lines) and line breaks back."""
    clean = sanitize_description(stored).strip()
    if not clean or _BLOCK.search(clean):
        return clean
    paragraphs = [p.strip() for p in _PARAGRAPHS.split(clean) if p.strip()]
    return "".join("<p>" + p.replace("\n", "<br>") + "</p>" for p in paragraphs)
