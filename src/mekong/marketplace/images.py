"""Product photos: validated by content, re-encoded without metadata, thumbnailed, deduplicated.

An upload is trusted for nothing: its name and declared content type are ignored and Pillow
sniffs the bytes, limited to JPEG, PNG and WebP. The pixel count is checked from the header
before any decoding (a small file can declare a 20000 × 20000 canvas), the EXIF orientation is
applied and every piece of metadata (EXIF with GPS, XMP, ICC, text chunks) is dropped by
re-encoding the pixels alone. Files go to Django's default storage under
``MEDIA_ROOT/marketplace/`` and are served by :mod:`mekong.marketplace.media`.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _
from PIL import Image, ImageOps, UnidentifiedImageError

from mekong.core.audit import audit_record
from mekong.core.errors import DomainError
from mekong.core.text import normalize_text
from mekong.marketplace.models import Product, ProductImage

#: Largest accepted upload, in bytes.
MAX_BYTES = 5 * 1024 * 1024
#: Largest accepted canvas (checked from the header, before decoding): 40 megapixels.
MAX_PIXELS = 40_000_000
#: Photos per product.
MAX_IMAGES = 8
#: Longest side of the two thumbnails, in pixels.
SMALL = 320
LARGE = 1024
ALT_MAX = 200

#: Sniffed Pillow format → (content type, file extension) of the re-encoded original.
FORMATS: dict[str, tuple[str, str]] = {
    "JPEG": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}


class ImageTooLarge(DomainError):
    """The upload is larger than :data:`MAX_BYTES`."""

    code = "image_too_large"
    http_status = 413
    title = _("The image file is too large (5 MB at most).")


class ImageUnsupportedType(DomainError):
    """The bytes are not a JPEG, PNG or WebP image (whatever the file is called)."""

    code = "image_unsupported_type"
    http_status = 415
    title = _("Upload a JPEG, PNG or WebP photo.")


class ImageTooManyPixels(DomainError):
    """The image declares more than :data:`MAX_PIXELS` pixels (a decompression bomb guard)."""

    code = "image_too_many_pixels"
    http_status = 422
    title = _("The image has too many pixels (40 megapixels at most).")


class ImageCorrupt(DomainError):
    """The header looked like an image but the pixels cannot be decoded (truncated, damaged)."""

    code = "image_corrupt"
    http_status = 422
    title = _("The image is damaged or incomplete.")


class TooManyImages(DomainError):
    """The product already has :data:`MAX_IMAGES` photos."""

    code = "too_many_images"
    http_status = 409
    title = _("A product can have at most 8 photos.")


class ImageNotFound(DomainError):
    """No such photo on this product (another product's photo looks the same)."""

    code = "image_not_found"
    http_status = 404
    title = _("Image not found.")


@dataclass(frozen=True, slots=True)
class ProcessedImage:
    """A validated upload: the re-encoded original and its two WebP thumbnails."""

    original: bytes
    small: bytes
    large: bytes
    content_type: str
    extension: str
    width: int
    height: int
    sha256: str


def _encode(image: Image.Image, fmt: str) -> bytes:
    """Encode the pixels alone: no ``exif``, ``icc_profile`` or text chunks are passed on."""
    out = io.BytesIO()
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=88, optimize=True)
    elif fmt == "PNG":
        image.save(out, "PNG", optimize=True)
    else:
        image.save(out, "WEBP", quality=85, method=4)
    return out.getvalue()


def _thumbnail(image: Image.Image, size: int) -> bytes:
    thumb = image.copy()
    thumb.thumbnail((size, size), Image.Resampling.LANCZOS)
    return _encode(thumb, "WEBP")


def process_image(data: bytes) -> ProcessedImage:
    """Validate an upload by its content and re-encode it without metadata.

    Raises:
        ImageTooLarge: more than :data:`MAX_BYTES`.
        ImageUnsupportedType: not JPEG, PNG or WebP by content (SVG, text, GIF ...).
        ImageTooManyPixels: the header declares more than :data:`MAX_PIXELS` pixels; raised
            before the pixels are decoded.
        ImageCorrupt: truncated or damaged pixel data.
    """
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    try:
        with warnings.catch_warnings():
            # Pillow warns (then raises) past its own limit; ours is lower and checked below.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=list(FORMATS))
    except Image.DecompressionBombError as exc:
        raise ImageTooManyPixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageUnsupportedType() from exc
    # Many phones write MPO (a JPEG with extra frames appended); its first frame is the JPEG.
    fmt = "JPEG" if image.format == "MPO" else str(image.format)
    if fmt not in FORMATS:  # pragma: no cover - Image.open was limited to FORMATS
        raise ImageUnsupportedType()
    width, height = image.size
    if width < 1 or height < 1 or width * height > MAX_PIXELS:
        raise ImageTooManyPixels()
    try:
        image.load()  # only now are the pixels decoded; a truncated file fails here
        upright: Image.Image = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageCorrupt() from exc
    # Keep the pixels and drop everything else Pillow read (EXIF with GPS, XMP, ICC, comments).
    has_alpha = upright.mode in {"RGBA", "LA", "PA"} or (
        upright.mode == "P" and "transparency" in upright.info
    )
    pixels = upright.convert("RGBA" if has_alpha and fmt != "JPEG" else "RGB")
    pixels.info.clear()
    original = _encode(pixels, fmt)
    content_type, extension = FORMATS[fmt]
    return ProcessedImage(
        original=original,
        small=_thumbnail(pixels, SMALL),
        large=_thumbnail(pixels, LARGE),
        content_type=content_type,
        extension=extension,
        width=pixels.width,
        height=pixels.height,
        sha256=hashlib.sha256(original).hexdigest(),
    )


def read_upload(upload: object) -> bytes:
    """The bytes of an uploaded file, reading at most one byte past :data:`MAX_BYTES`.

    Raises ``ImageTooLarge`` early when the declared size is already too large.
    """
    size = getattr(upload, "size", None)
    if isinstance(size, int) and size > MAX_BYTES:
        raise ImageTooLarge()
    read = getattr(upload, "read", None)
    if read is None:
        raise ImageUnsupportedType()
    data = read(MAX_BYTES + 1)
    if not isinstance(data, bytes):
        raise ImageUnsupportedType()
    if len(data) > MAX_BYTES:
        raise ImageTooLarge()
    return data


def _save(name: str, data: bytes) -> str:
    return default_storage.save(name, ContentFile(data))


def image_add(
    *, product: Product, data: bytes, alt_text: str = "", actor_user_id: int | None = None
) -> ProductImage:
    """Add a photo to a product (validated, re-encoded, thumbnailed); audited.

    The same photo uploaded again to the same product returns the existing row (sha256 of the
    re-encoded bytes, unique per product). Invariants: at most :data:`MAX_IMAGES` per product;
    positions stay in upload order. The product row is locked while counting so two uploads
    cannot both take the last free place.

    Raises:
        TooManyImages: the product already has :data:`MAX_IMAGES` photos.
        ImageTooLarge, ImageUnsupportedType, ImageTooManyPixels, ImageCorrupt: see
            :func:`process_image`.
    """
    processed = process_image(data)
    alt = normalize_text(alt_text)[:ALT_MAX]
    with transaction.atomic():
        Product.objects.select_for_update().filter(pk=product.pk).first()
        existing = ProductImage.objects.filter(product=product, sha256=processed.sha256).first()
        if existing is not None:
            return existing
        images = ProductImage.objects.filter(product=product)
        if images.count() >= MAX_IMAGES:
            raise TooManyImages()
        position = (images.aggregate(m=Max("position"))["m"] or 0) + 1
        stem = f"{product.pk}-{processed.sha256[:24]}"
        names = [
            _save(f"marketplace/products/{stem}.{processed.extension}", processed.original),
            _save(f"marketplace/thumbs/{stem}-{SMALL}.webp", processed.small),
            _save(f"marketplace/thumbs/{stem}-{LARGE}.webp", processed.large),
        ]
        try:
            with transaction.atomic():
                image = ProductImage.objects.create(
                    product=product,
                    position=position,
                    original=names[0],
                    thumb_small=names[1],
                    thumb_large=names[2],
                    width=processed.width,
                    height=processed.height,
                    content_type=processed.content_type,
                    sha256=processed.sha256,
                    alt_text=alt,
                )
        except IntegrityError:
            # A concurrent upload of the same photo won: drop our copies, return theirs.
            _delete_files(names)
            return ProductImage.objects.get(product=product, sha256=processed.sha256)
        audit_record(
            action="marketplace.image_add",
            actor_user_id=actor_user_id,
            organisation_id=product.seller.organisation_id,
            object_type="product",
            object_id=product.pk,
            data={"image": image.pk, "sha256": processed.sha256},
        )
    return image


def _delete_files(names: list[str]) -> None:
    for name in names:
        if name:
            default_storage.delete(name)


def image_get(*, product: Product, image_id: int) -> ProductImage:
    """One photo of ``product`` (the product was authorised by the caller).

    Raises ``ImageNotFound`` for an unknown id or another product's photo.
    """
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise ImageNotFound()
    return image


def image_delete(*, product: Product, image_id: int, actor_user_id: int | None = None) -> None:
    """Remove a photo and its files; audited. The files go only after the row is committed."""
    with transaction.atomic():
        image = image_get(product=product, image_id=image_id)
        names = [image.original.name, image.thumb_small.name, image.thumb_large.name]
        image.delete()
        audit_record(
            action="marketplace.image_delete",
            actor_user_id=actor_user_id,
            organisation_id=product.seller.organisation_id,
            object_type="product",
            object_id=product.pk,
            data={"image": image_id},
        )
        transaction.on_commit(lambda: _delete_files([n or "" for n in names]))


def image_update(
    *, product: Product, image_id: int, alt_text: str | None = None, position: int | None = None
) -> ProductImage:
    """Change a photo's alt text (normalised) or position (0 = first)."""
    image = image_get(product=product, image_id=image_id)
    if alt_text is not None:
        image.alt_text = normalize_text(alt_text)[:ALT_MAX]
    if position is not None:
        image.position = max(0, min(position, 32_767))
    image.save(update_fields=["alt_text", "position"])
    return image


def images_reorder(*, product: Product, image_ids: list[int]) -> list[ProductImage]:
    """Put the product's photos in the order of ``image_ids`` (ids not listed go last).

    Raises ``ImageNotFound`` when an id is not one of this product's photos.
    """
    with transaction.atomic():
        images = {i.pk: i for i in ProductImage.objects.select_for_update().filter(product=product)}
        if any(i not in images for i in image_ids):
            raise ImageNotFound()
        order = list(dict.fromkeys(image_ids)) + [i for i in images if i not in image_ids]
        for position, pk in enumerate(order):
            images[pk].position = position
        ProductImage.objects.bulk_update(list(images.values()), ["position"])
    return [images[pk] for pk in order]


def thumb_width(image: ProductImage, size: int) -> int:
    """The width of a thumbnail bounded by ``size`` (for ``srcset`` width descriptors)."""
    longest = max(image.width, image.height)
    if longest <= size:
        return image.width
    return max(1, round(image.width * size / longest))
