"""Events published by the verifiable log."""

from __future__ import annotations

from dataclasses import dataclass

from mekong.core.events import DomainEvent, event


@event
@dataclass(frozen=True, kw_only=True)
class EntriesAppended(DomainEvent):
    """A batch of entries was appended: indexes ``first_index`` .. ``first_index + count - 1``."""

    name = "trustlog.entries_appended"
    first_index: int
    count: int
    kinds: list[str]


@event
@dataclass(frozen=True, kw_only=True)
class CheckpointPublished(DomainEvent):
    """The log signed a new checkpoint (before witnesses cosigned it)."""

    name = "trustlog.checkpoint_published"
    size: int
    root_hash: str  # base64
