"""Images: draw with segno, read back with zxing-cpp (PNG; zxing-cpp cannot read SVG)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mekong.payments.qr import decode
from mekong.payments.qr.image import QrImageError, read, render
from mekong.payments.tests.qr_support import fixture


@pytest.mark.parametrize(
    "fixture_id",
    [
        "promptpay-odoo-l10n-th",
        "khqr-go-khqr-khmer-language",
        "mmqr-odoo-l10n-mm",
        "emvco-spec-example",
    ],
)
def test_png_round_trip_keeps_every_character(tmp_path: Path, fixture_id: str) -> None:
    # Khmer, Myanmar and Chinese text must survive the byte-mode encoding and zxing's decoding.
    payload = fixture(fixture_id)
    path = render(payload, tmp_path / "code.png")
    assert path.read_bytes().startswith(b"\x89PNG")
    assert read(path) == [payload]
    assert decode(read(path)[0]).crc_valid


def test_svg_is_written(tmp_path: Path) -> None:
    path = render(fixture("vietqr-vietnam-qr-pay-dynamic"), tmp_path / "code.svg")
    assert path.read_text().lstrip().startswith("<svg")


def test_image_without_a_code_reads_as_empty(tmp_path: Path) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("L", (64, 64), 255).save(blank)
    assert read(blank) == []


def test_bad_extension_and_non_images_are_refused(tmp_path: Path) -> None:
    with pytest.raises(QrImageError, match=r"\.svg or \.png"):
        render("x", tmp_path / "code.gif")
    not_image = tmp_path / "note.png"
    not_image.write_text("hello")
    with pytest.raises(QrImageError, match="not a readable image"):
        read(not_image)
