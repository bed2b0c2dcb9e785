"""Public read API of the verifiable log (no authentication: the log is public by design).

Hashes and data are standard base64, as in C2SP checkpoints. Proofs default to the tree size
of the latest checkpoint, so they verify against a signed root.
"""

from __future__ import annotations

import base64
from datetime import datetime

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router, Schema
from pydantic import Field

from mekong.core.pagination import Page
from mekong.core.schemas import PageOut, ProblemOut
from mekong.trustlog import selectors
from mekong.trustlog.contracts import CheckpointInfo, EntryInfo
from mekong.trustlog.errors import InvalidProofRequest, TreeSizeOutOfRange
from mekong.trustlog.leaf import MAX_INDEX
from mekong.trustlog.note import Checkpoint as CheckpointBody
from mekong.trustlog.note import parse_note

router = Router(tags=["trustlog"])

_MAX_SIZE = MAX_INDEX + 1
_ERRORS: dict[int, type[ProblemOut]] = {400: ProblemOut, 404: ProblemOut, 422: ProblemOut}
_TEXT = "text/plain; charset=utf-8"


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


class CheckpointOut(Schema):
    """The latest checkpoint: the signed note and what it says."""

    origin: str
    size: int
    root_hash: str = Field(description="base64")
    note: str = Field(description="C2SP signed note: log signature, then witness cosignatures")
    created_at: datetime
    witnesses: list[str] = Field(description="names of the witnesses that cosigned")


class EntryOut(Schema):
    """One log entry."""

    index: int
    kind: str
    timestamp: datetime
    timestamp_us: int = Field(description="microseconds since the Unix epoch, as in the leaf")
    data: str = Field(description="the payload, base64")
    leaf_hash: str = Field(description="SHA-256(0x00 || leaf), base64")


class InclusionQuery(Schema):
    """Which entry (by index or leaf hash) in which tree."""

    index: int | None = Field(default=None, ge=0, le=MAX_INDEX, description="entry index")
    leaf_hash: str | None = Field(
        default=None, min_length=1, max_length=100, description="64 hex digits or base64"
    )
    tree_size: int | None = Field(
        default=None, ge=1, le=_MAX_SIZE, description="default: the latest checkpoint's size"
    )


class InclusionProofOut(Schema):
    """An RFC 9162 inclusion proof (audit path, leaf side first)."""

    index: int
    tree_size: int
    leaf_hash: str
    root_hash: str
    proof: list[str]


class ConsistencyQuery(Schema):
    """Two tree sizes."""

    old_size: int = Field(ge=0, le=_MAX_SIZE)
    new_size: int | None = Field(
        default=None, ge=0, le=_MAX_SIZE, description="default: the latest checkpoint's size"
    )


class ConsistencyProofOut(Schema):
    """An RFC 9162 consistency proof (empty from size 0 or between equal sizes)."""

    old_size: int
    new_size: int
    old_root: str
    new_root: str
    proof: list[str]


def _checkpoint_out(cp: CheckpointInfo) -> CheckpointOut:
    body = CheckpointBody.parse(parse_note(cp.note).text)
    return CheckpointOut(
        origin=body.origin,
        size=cp.size,
        root_hash=_b64(cp.root_hash),
        note=cp.note,
        created_at=cp.created_at,
        witnesses=list(cp.witnesses),
    )


def _entry_out(entry: EntryInfo) -> EntryOut:
    return EntryOut(
        index=entry.index,
        kind=entry.kind,
        timestamp=entry.timestamp,
        timestamp_us=entry.timestamp_us,
        data=_b64(entry.payload),
        leaf_hash=_b64(entry.leaf_hash),
    )


def _default_size(size: int | None) -> int:
    if size is not None:
        return size
    return selectors.checkpoint_latest().size


def _wants_text(request: HttpRequest) -> bool:
    accept = request.headers.get("Accept", "")
    return "text/plain" in accept and "application/json" not in accept


@router.get(
    "/checkpoint",
    auth=None,
    response={200: CheckpointOut, **_ERRORS},
    summary="Latest checkpoint",
    openapi_extra={
        "responses": {
            200: {
                "description": "The checkpoint; with `Accept: text/plain`, the signed note only",
                "content": {"text/plain": {"schema": {"type": "string"}}},
            }
        }
    },
)
def checkpoint_latest(request: HttpRequest) -> CheckpointOut | HttpResponse:
    """The newest checkpoint with its cosignatures (C2SP tlog-checkpoint signed note).

    Send ``Accept: text/plain`` to get the note text alone, as C2SP tools expect.
    """
    cp = selectors.checkpoint_latest()
    if _wants_text(request):
        return HttpResponse(cp.note, content_type=_TEXT)
    return _checkpoint_out(cp)


@router.get(
    "/proofs/inclusion",
    auth=None,
    response={200: InclusionProofOut, **_ERRORS},
    summary="Inclusion proof",
)
def inclusion_proof(request: HttpRequest, query: Query[InclusionQuery]) -> InclusionProofOut:
    """Prove that an entry (by ``index`` or ``leaf_hash``) is in the tree of ``tree_size``."""
    if (query.index is None) == (query.leaf_hash is None):
        raise InvalidProofRequest()
    size = _default_size(query.tree_size)
    if query.index is not None:
        index = query.index
        if index >= size:
            raise TreeSizeOutOfRange()
        leaf_hash = selectors.entry_get(index).leaf_hash
    else:
        assert query.leaf_hash is not None
        found = selectors.entry_find(selectors.parse_leaf_hash(query.leaf_hash), below=size)
        index, leaf_hash = found.index, found.leaf_hash
    proof = selectors.inclusion_proof_at(index, size)
    return InclusionProofOut(
        index=index,
        tree_size=size,
        leaf_hash=_b64(leaf_hash),
        root_hash=_b64(selectors.root_at(size)),
        proof=[_b64(h) for h in proof],
    )


@router.get(
    "/proofs/consistency",
    auth=None,
    response={200: ConsistencyProofOut, **_ERRORS},
    summary="Consistency proof",
)
def consistency_proof(request: HttpRequest, query: Query[ConsistencyQuery]) -> ConsistencyProofOut:
    """Prove that the tree of ``old_size`` is a prefix of the tree of ``new_size``."""
    new_size = _default_size(query.new_size)
    proof = selectors.consistency_proof_between(query.old_size, new_size)
    return ConsistencyProofOut(
        old_size=query.old_size,
        new_size=new_size,
        old_root=_b64(selectors.root_at(query.old_size)),
        new_root=_b64(selectors.root_at(new_size)),
        proof=[_b64(h) for h in proof],
    )


@router.get(
    "/entries",
    auth=None,
    response={200: PageOut[EntryOut], **_ERRORS},
    summary="Entries by range",
)
def entries_list(request: HttpRequest, page: Query[Page]) -> PageOut[EntryOut]:
    """Entries ``offset`` .. ``offset + limit - 1`` in index order; ``count`` is the log size."""
    entries = selectors.entries_range(page.offset, page.limit)
    return PageOut[EntryOut](items=[_entry_out(e) for e in entries], count=selectors.log_size())


@router.get(
    "/entries/{index}",
    auth=None,
    response={200: EntryOut, **_ERRORS},
    summary="One entry",
)
def entry_get(request: HttpRequest, index: int) -> EntryOut:
    """The entry at ``index``."""
    if not 0 <= index <= MAX_INDEX:
        raise TreeSizeOutOfRange()
    return _entry_out(selectors.entry_get(index))
