"""Helpers of the catalogue tests: a verified seller, a product, and images made with Pillow."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

from mekong.identity.models import User
from mekong.identity.tests.factories import make_org, make_user
from mekong.marketplace.models import Product, Seller
from mekong.marketplace.services import product_create, seller_register, seller_verify


def make_seller(country: str = "LA", name: str = "Paksong Coffee Co-op") -> tuple[Seller, User]:
    """A verified seller and its owner."""
    org = make_org(kind="sme", country=country, name=name)
    user = make_user(org=org)
    seller = seller_register(organisation_id=org.pk, slug=org.slug)
    seller_verify(seller=seller)
    return seller, user


def make_product(seller: Seller, slug: str = "paksong-arabica") -> Product:
    return product_create(
        seller=seller,
        slug=slug,
        category="coffee",
        price_minor=9_500_000,
        stock=10,
        source_language="lo",
        texts={"lo": ("ກາເຟປາກຊ່ອງ", "ເມັດກາເຟ"), "en": ("Paksong Arabica", "Roasted beans")},
    )


def image_bytes(
    fmt: str = "PNG", size: tuple[int, int] = (800, 600), color: tuple[int, ...] = (30, 120, 60)
) -> bytes:
    mode = "RGBA" if len(color) == 4 else "RGB"
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def jpeg_with_gps(size: tuple[int, int] = (800, 400), orientation: int = 6) -> bytes:
    """A JPEG whose EXIF says "rotate 90°" and carries GPS coordinates (a farm's location)."""
    img = Image.new("RGB", size, (200, 50, 50))
    # A marker in the top-left corner shows where the rotation took it.
    img.paste((0, 0, 255), (0, 0, 40, 40))
    exif = Image.Exif()
    exif[0x0112] = orientation
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (15.0, 10.0, 30.0), "E", (106.0, 14.0, 0.0)
    exif[0x010F] = "PhoneMaker"  # camera make: metadata too
    out = io.BytesIO()
    img.save(out, "JPEG", exif=exif.tobytes(), quality=95)
    return out.getvalue()


def png_bomb(width: int = 20_000, height: int = 20_000) -> bytes:
    """A tiny PNG declaring a huge canvas: a valid header and the start of a zlib stream.

    Decoding it fully would need ``width × height × 3`` bytes (1.2 GB); the validator must
    refuse it from the header alone.
    """

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    row = b"\x00" + b"\x00" * (width * 3)
    idat = zlib.compress(row * 4, 9)  # a few rows only; the rest would be more zeros
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")
    )
