"""The one error the QR codec raises.

Every rejection names the data object it is about (``63``, ``62/05``, ``38/01/00``), so a
caller, a log line or the CLI can point at the exact place in the payload. Nested objects are
written ``parent/child`` as in the research notes and the KHQR SDK's error table.
"""

from __future__ import annotations

from typing import ClassVar


class QrError(ValueError):
    """A payload (or an encode request) that the codec refuses.

    Attributes:
        tag: the data object ID the rejection is about, nested IDs joined by ``/``.
        reason: a short English sentence; ``str(error)`` is ``"tag <tag>: <reason>"``.
        code: a stable machine code, for when this is mapped to a `DomainError` by the hub.
    """

    code: ClassVar[str] = "qr_invalid"

    def __init__(self, tag: str, reason: str) -> None:
        """Create the error; `tag` is shown escaped if it holds unprintable characters."""
        if not tag.isprintable():
            tag = tag.encode("unicode_escape").decode("ascii")
        super().__init__(f"tag {tag}: {reason}")
        self.tag = tag
        self.reason = reason
