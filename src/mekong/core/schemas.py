"""Schemas shared by every module's API: the problem document and the page envelope."""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from ninja import Schema
from pydantic import Field

T = TypeVar("T")


class ProblemOut(Schema):
    """RFC 9457 problem details with the platform's stable ``code`` member."""

    type: str = Field(description="URI reference identifying the problem type")
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine-readable error code; switch on this")
    instance: str | None = None
    errors: list[dict[str, Any]] | None = Field(
        default=None, description="Field-level problems, for validation errors"
    )


class PageOut(Schema, Generic[T]):
    """The one pagination convention: ``?limit=&offset=`` in, ``items`` + ``count`` out."""

    items: list[T]
    count: int


#: Error responses every authenticated operation may return; merged into ``response=``.
COMMON_ERRORS: dict[int, type[ProblemOut]] = {
    400: ProblemOut,
    401: ProblemOut,
    422: ProblemOut,
}
