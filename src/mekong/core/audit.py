"""Writing the audit log: one call per state change, inside the service's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mekong.core.db.rows import insert
from mekong.core.models import AuditEntry


def audit_record(
    *,
    action: str,
    actor_user_id: int | None = None,
    organisation_id: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
    data: Mapping[str, Any] | None = None,
) -> AuditEntry:
    """Append one audit entry.

    Call it inside the service's ``transaction.atomic`` block so the entry commits or rolls back
    with the change it describes. Never put secrets (passwords, token values) in ``data``.
    """
    return AuditEntry.objects.create(
        **_fields(action, actor_user_id, organisation_id, object_type, object_id, data)
    )


def audit_record_many(entries: Iterable[Mapping[str, Any]]) -> None:
    """Append several audit entries with one insert (a batch of changes made together).

    Each mapping takes `audit_record`'s keyword arguments; the same rules apply.
    """
    rows = [
        AuditEntry(
            **_fields(
                e["action"],
                e.get("actor_user_id"),
                e.get("organisation_id"),
                e.get("object_type", ""),
                e.get("object_id", ""),
                e.get("data"),
            )
        )
        for e in entries
    ]
    insert(rows)  # one precomposed statement: this runs in every payment batch


def _fields(
    action: str,
    actor_user_id: int | None,
    organisation_id: int | None,
    object_type: str,
    object_id: str | int,
    data: Mapping[str, Any] | None,
) -> dict[str, Any]:
    return {
        "action": action,
        "actor_user_id": actor_user_id,
        "organisation_id": organisation_id,
        "object_type": object_type,
        "object_id": str(object_id),
        "data": dict(data or {}),
    }
