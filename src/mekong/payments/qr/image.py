"""Draw payloads as QR images (segno) and read them back from images (zxing-cpp).

``render`` writes SVG or PNG with segno (pure Python; its PNG writer needs no Pillow). QR
version is chosen by segno; error correction M (15 %) is what bank apps commonly print and
leaves room for a logo sticker. Text outside Latin-1 (Khmer, Myanmar, Lao, Thai names) is
encoded as UTF-8 in byte mode without an ECI header: EMVCo payloads are UTF-8 and scanners
assume it, while an ECI header trips some older readers.

``read`` decodes photos and screenshots with zxing-cpp, which takes a Pillow image; Pillow is
imported only here, so the codec itself has no imaging dependency. zxing-cpp cannot read SVG:
render PNG for a round trip.
"""

from __future__ import annotations

from pathlib import Path

#: Pixels per QR module in PNG output, and the quiet zone in modules (ISO/IEC 18004: 4).
PNG_SCALE = 8
QUIET_ZONE = 4


class QrImageError(Exception):
    """An image could not be written or read (format, file, or missing imaging library)."""


def render(payload: str, path: str | Path) -> Path:
    """Draw `payload` as a QR code into `path` (``.svg`` or ``.png``).

    Raises:
        QrImageError: unsupported file extension or unwritable path.
    """
    import segno

    target = Path(path)
    kind = target.suffix.lower()
    if kind not in (".svg", ".png"):
        raise QrImageError(f"{target.name}: write .svg or .png")
    try:
        code = segno.make_qr(payload, error="m", encoding="utf-8", boost_error=False)
        if kind == ".png":
            code.save(str(target), scale=PNG_SCALE, border=QUIET_ZONE)
        else:
            code.save(str(target), scale=4, border=QUIET_ZONE, xmldecl=False)
    except (OSError, ValueError) as exc:
        raise QrImageError(f"{target}: {exc}") from exc
    return target


def read(path: str | Path) -> list[str]:
    """Return the text of every QR code found in the image at `path` (possibly none).

    Raises:
        QrImageError: the file cannot be opened as an image, or Pillow is not installed.
    """
    try:
        from PIL import Image, UnidentifiedImageError
    except ImportError as exc:  # pragma: no cover - Pillow is a project dependency
        raise QrImageError("reading images needs Pillow") from exc
    import zxingcpp

    try:
        with Image.open(path) as image:
            grey = image.convert("L")
    except (OSError, UnidentifiedImageError) as exc:
        raise QrImageError(f"{path}: not a readable image ({exc})") from exc
    qr_only = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    results = zxingcpp.read_barcodes(grey, formats=qr_only)
    return [result.text for result in results]


__all__ = ["QrImageError", "read", "render"]
