"""The one pagination convention of the API: ``limit``/``offset`` in, ``items``/``count`` out."""

from __future__ import annotations

from typing import Any, TypeVar

from django.conf import settings
from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import Field

M = TypeVar("M", bound=Model)


class Page(Schema):
    """Query parameters of every list endpoint."""

    limit: int = Field(default=50, ge=1, le=500, description="Items per page (1-500)")
    offset: int = Field(default=0, ge=0, le=10_000_000, description="Items to skip")


def paginate(queryset: QuerySet[M], page: Page) -> tuple[list[M], int]:
    """Return one page of ``queryset`` and the total count (two queries)."""
    limit = min(page.limit, int(getattr(settings, "API_MAX_PAGE_SIZE", 500)))
    items = list(queryset[page.offset : page.offset + limit])
    return items, queryset.count()


def paginate_list(items: list[Any], page: Page) -> tuple[list[Any], int]:
    """Paginate an in-memory list the same way."""
    return items[page.offset : page.offset + page.limit], len(items)
