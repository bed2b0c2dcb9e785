"""Product photos: validation by content, metadata stripping, thumbnails, dedupe, serving.

Every test writes into a temporary MEDIA_ROOT (the autouse ``media_root`` fixture), never into
var/. Images are made with Pillow in the test; the files are real files the code reads back.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from PIL import Image

from mekong.marketplace import images
from mekong.marketplace.models import ProductImage
from mekong.marketplace.selectors import product_card_by_slug, product_cards
from mekong.marketplace.templatetags.marketplace_extras import product_gallery
from mekong.marketplace.tests.photos import (
    image_bytes,
    jpeg_with_gps,
    make_product,
    make_seller,
    png_bomb,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings: Any, tmp_path: Path) -> Path:
    """A temporary MEDIA_ROOT for the test (default storage follows the setting)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


# --- validation by content ---------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_jpeg_png_and_webp_are_accepted_and_reencoded_in_their_format(fmt: str) -> None:
    processed = images.process_image(image_bytes(fmt))
    assert processed.content_type == images.FORMATS[fmt][0]
    assert Image.open(io.BytesIO(processed.original)).format == fmt
    assert (processed.width, processed.height) == (800, 600)


def test_a_phone_mpo_jpeg_is_a_jpeg() -> None:
    # MPO = a JPEG with more frames appended (many phones write it); the first frame is kept.
    first = Image.new("RGB", (120, 80), (200, 10, 10))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (120, 80), (0, 0, 0))])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    processed = images.process_image(out.getvalue())
    assert processed.content_type == "image/jpeg"
    reread = Image.open(io.BytesIO(processed.original))
    assert reread.format == "JPEG"
    assert getattr(reread, "n_frames", 1) == 1
    assert reread.convert("RGB").getpixel((60, 40))[0] > 150  # type: ignore[index]


def test_a_png_named_jpg_is_judged_by_its_bytes(media_root: Path) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    upload = io.BytesIO(image_bytes("PNG"))
    upload.name = "photo.jpg"
    image = images.image_add(product=product, data=images.read_upload(upload))
    assert image.content_type == "image/png"
    assert image.original.name.endswith(".png")


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"just some text, named photo.jpg\n" * 10, "image_unsupported_type"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>',
            "image_unsupported_type",
        ),
        (b"GIF89a" + b"\x00" * 64, "image_unsupported_type"),
        (b"", "image_unsupported_type"),
        (b"%PDF-1.7\n" + b"0" * 100, "image_unsupported_type"),
    ],
    ids=["text", "svg", "gif", "empty", "pdf"],
)
def test_non_images_are_rejected_whatever_their_name(data: bytes, code: str) -> None:
    with pytest.raises(images.ImageUnsupportedType) as exc:
        images.process_image(data)
    assert exc.value.code == code


def test_a_polyglot_loses_its_payload_in_the_reencoding() -> None:
    # A real JPEG with an HTML page (or a ZIP) appended: valid as an image, so accepted, but
    # only the pixels are kept: the stored bytes carry nothing else.
    payload = b"<html><script>alert(document.cookie)</script></html>PK\x03\x04"
    processed = images.process_image(image_bytes("JPEG", (200, 200)) + payload)
    for blob in (processed.original, processed.small, processed.large):
        assert b"<script>" not in blob
        assert b"PK\x03\x04" not in blob


def test_a_truncated_jpeg_is_corrupt() -> None:
    full = jpeg_with_gps((600, 600))
    with pytest.raises(images.ImageCorrupt) as exc:
        images.process_image(full[: len(full) // 2])
    assert exc.value.code == "image_corrupt"


def test_a_20000_square_png_bomb_is_refused_before_decoding() -> None:
    bomb = png_bomb()
    assert len(bomb) < 200_000  # small on the wire, 1.2 GB once decoded
    with pytest.raises(images.ImageTooManyPixels) as exc:
        images.process_image(bomb)
    assert exc.value.code == "image_too_many_pixels"


def test_a_canvas_just_over_our_limit_is_refused_below_pillows_own_limit() -> None:
    # 8000 × 5001 = 40.008 MP: under Pillow's bomb error (2 × 89 MP) but over ours.
    with pytest.raises(images.ImageTooManyPixels):
        images.process_image(png_bomb(8000, 5001))


def test_more_than_five_megabytes_is_too_large() -> None:
    with pytest.raises(images.ImageTooLarge) as exc:
        images.process_image(b"\x89PNG\r\n\x1a\n" + b"\x00" * images.MAX_BYTES)
    assert exc.value.code == "image_too_large"
    upload = io.BytesIO(b"\x00" * (images.MAX_BYTES + 10))
    with pytest.raises(images.ImageTooLarge):
        images.read_upload(upload)


# --- metadata, orientation, thumbnails ---------------------------------------------------------


def test_exif_orientation_is_applied_then_every_metadata_is_stripped() -> None:
    original = jpeg_with_gps((800, 400), orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # GPS was there
    processed = images.process_image(original)
    # Orientation 6 = rotate 90° clockwise for display: 800 × 400 becomes 400 × 800.
    assert (processed.width, processed.height) == (400, 800)
    for blob in (processed.original, processed.small, processed.large):
        reread = Image.open(io.BytesIO(blob))
        assert not reread.getexif()  # no EXIF at all: no GPS, no camera make, no orientation
        assert not reread.getexif().get_ifd(0x8825)
        assert b"Exif" not in blob
        assert b"PhoneMaker" not in blob
        assert "icc_profile" not in reread.info
    # The blue marker of the top-left corner is now top-right (rotated clockwise).
    upright = Image.open(io.BytesIO(processed.original)).convert("RGB")
    r, _g, b = upright.getpixel((upright.width - 5, 5))  # type: ignore[misc]
    assert b > 150
    assert r < 100


def test_png_text_chunks_are_dropped() -> None:
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "GPS 15.17N 106.23E, owner's phone number")
    out = io.BytesIO()
    Image.new("RGB", (100, 100), (1, 2, 3)).save(out, "PNG", pnginfo=info)
    processed = images.process_image(out.getvalue())
    assert b"GPS" not in processed.original
    assert not Image.open(io.BytesIO(processed.original)).text  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("size", "small", "large"),
    [
        ((2000, 1500), (320, 240), (1024, 768)),
        ((600, 1200), (160, 320), (512, 1024)),
        ((200, 100), (200, 100), (200, 100)),  # never enlarged
    ],
)
def test_thumbnails_are_bounded_webp(
    size: tuple[int, int], small: tuple[int, int], large: tuple[int, int]
) -> None:
    processed = images.process_image(image_bytes("JPEG", size))
    small_img = Image.open(io.BytesIO(processed.small))
    large_img = Image.open(io.BytesIO(processed.large))
    assert small_img.format == large_img.format == "WEBP"
    assert small_img.size == small
    assert large_img.size == large


def test_transparency_survives_png_and_webp() -> None:
    processed = images.process_image(image_bytes("PNG", (64, 64), (10, 20, 30, 0)))
    assert Image.open(io.BytesIO(processed.original)).mode == "RGBA"


# --- storing, dedupe, limits, order ------------------------------------------------------------


def test_upload_stores_three_files_under_media_root_and_dedupes(media_root: Path) -> None:
    seller, user = make_seller()
    product = make_product(seller)
    data = jpeg_with_gps()
    first = images.image_add(
        product=product, data=data, alt_text="  Roasted beans ", actor_user_id=user.pk
    )
    assert first.alt_text == "Roasted beans"
    for f in (first.original, first.thumb_small, first.thumb_large):
        path = media_root / f.name
        assert path.is_file()
        assert path.is_relative_to(media_root / "marketplace")
    again = images.image_add(product=product, data=data)
    assert again.pk == first.pk
    assert ProductImage.objects.filter(product=product).count() == 1
    assert len(list((media_root / "marketplace" / "products").iterdir())) == 1
    # The same photo on another product is that product's own photo.
    other = images.image_add(product=make_product(seller, "paksong-robusta"), data=data)
    assert other.pk != first.pk


def test_at_most_eight_photos(media_root: Path) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    for i in range(images.MAX_IMAGES):
        images.image_add(product=product, data=image_bytes("PNG", (50, 50), (i, 0, 0)))
    with pytest.raises(images.TooManyImages) as exc:
        images.image_add(product=product, data=image_bytes("PNG", (50, 50), (99, 0, 0)))
    assert exc.value.code == "too_many_images"


def test_reorder_alt_text_and_delete_removes_files(
    media_root: Path, django_capture_on_commit_callbacks: Any
) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    a = images.image_add(product=product, data=image_bytes("PNG", (50, 50), (1, 0, 0)))
    b = images.image_add(product=product, data=image_bytes("PNG", (50, 50), (2, 0, 0)))
    assert [i.pk for i in product.images.all()] == [a.pk, b.pk]
    images.images_reorder(product=product, image_ids=[b.pk, a.pk])
    assert [i.pk for i in product.images.all()] == [b.pk, a.pk]
    images.image_update(product=product, image_id=a.pk, alt_text="Front of the bag")
    a.refresh_from_db()
    assert a.alt_text == "Front of the bag"
    other = make_product(seller, "other-product")
    with pytest.raises(images.ImageNotFound):
        images.image_delete(product=other, image_id=a.pk)  # not that product's photo
    names = [a.original.name, a.thumb_small.name, a.thumb_large.name]
    with django_capture_on_commit_callbacks(execute=True):
        images.image_delete(product=product, image_id=a.pk)
    assert not ProductImage.objects.filter(pk=a.pk).exists()
    assert not any((media_root / n).exists() for n in names)
    assert (media_root / b.original.name).exists()


# --- cards, gallery, serving --------------------------------------------------------------------


def test_cards_carry_the_first_thumbnail_without_a_query_per_card(
    media_root: Path, django_assert_num_queries: Any
) -> None:
    seller, _user = make_seller()
    products = [make_product(seller, f"coffee-{i}") for i in range(5)]
    for p in products[:3]:
        images.image_add(product=p, data=image_bytes("PNG", (500, 500), (p.pk % 255, 9, 9)))
        images.image_add(product=p, data=image_bytes("PNG", (500, 500), (p.pk % 255, 99, 9)))
    ids = [p.pk for p in products]
    with django_assert_num_queries(2):
        cards = product_cards(ids, "en")
    first = ProductImage.objects.filter(product=products[0]).order_by("position").first()
    assert first is not None
    assert cards[0].thumbnail_url == f"/media/{first.thumb_small.name}"
    assert [bool(c.thumbnail_url) for c in cards] == [True, True, True, False, False]
    card = product_card_by_slug("coffee-0", "en")
    assert card is not None
    assert card.thumbnail_url == cards[0].thumbnail_url


def test_gallery_renders_srcset_alt_and_lazy_loading(media_root: Path) -> None:
    seller, _user = make_seller()
    product = make_product(seller)
    images.image_add(product=product, data=image_bytes("PNG", (2000, 1000)), alt_text='Bag "A" <b>')
    images.image_add(product=product, data=image_bytes("PNG", (300, 300), (9, 9, 9)))
    html = str(product_gallery(product.slug, "Paksong Arabica"))
    assert html.count("<img ") == 2
    assert 'srcset="/media/marketplace/thumbs/' in html
    assert " 320w, " in html
    assert " 1024w" in html
    assert 'alt="Bag &quot;A&quot; &lt;b&gt;"' in html  # escaped
    assert 'alt="Paksong Arabica"' in html  # the title when the seller wrote no alt text
    assert html.count('loading="lazy"') == 1  # all but the first
    assert str(product_gallery("no-such-product")) == ""


def test_media_serves_images_with_type_cache_and_nosniff(media_root: Path, client: Client) -> None:
    seller, _user = make_seller()
    image = images.image_add(product=make_product(seller), data=image_bytes("JPEG"))
    response = client.get(f"/media/{image.original.name}")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=31536000" in response["Cache-Control"]
    body = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert body == (media_root / image.original.name).read_bytes()
    thumb = client.get(f"/media/{image.thumb_small.name}")
    assert thumb["Content-Type"] == "image/webp"
    assert client.post(f"/media/{image.original.name}").status_code == 405


@pytest.mark.parametrize(
    "path",
    [
        "marketplace/../secret.txt",
        "marketplace/products/../../secret.txt",
        "marketplace/%2e%2e/secret.txt",
        "marketplace//etc/passwd",
        "marketplace/products/notes.txt",
        "marketplace/products/missing.jpg",
        "marketplace/link.jpg",
        "marketplace/products",
    ],
)
def test_media_refuses_anything_but_marketplace_image_files(
    media_root: Path, client: Client, path: str
) -> None:
    (media_root / "secret.txt").write_text("TOPSECRET-7f3a")
    (media_root / "outside.jpg").write_bytes(image_bytes("JPEG"))
    products = media_root / "marketplace" / "products"
    products.mkdir(parents=True)
    (products / "notes.txt").write_text("<script>alert(1)</script>")
    (media_root / "marketplace" / "link.jpg").symlink_to(media_root / "outside.jpg")
    response = client.get(f"/media/{path}")
    assert response.status_code == 404
    assert b"TOPSECRET-7f3a" not in response.content
