"""Browser journey of a seller (headless Chromium): the Lao coffee co-op adds a product.

Given the platform's demo seed, the co-op's owner logs in with the Lao interface, opens her
products from the seller dashboard, adds wild honey with a Lao and an English title, a price in
kip and a photo taken with a phone (EXIF with GPS); the product page then shows the photo
(without the GPS) and a search in Lao finds the product with its thumbnail. Screenshots go to
docs/guide/img/ for docs/guide/marketplace.md ("Selling: your products").
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw

from mekong.demo import DEMO_PASSWORD, seed_all
from mekong.marketplace.models import Product, ProductImage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOMAIN = "demo.mekong.example"
TITLE_LO = "ນ້ຳເຜິ້ງປ່າ ພູພຽງບໍລະເວນ"


@pytest.fixture
def demo(transactional_db: None, settings: Any, tmp_path: Path) -> Path:
    """The demo seed, with every photo (the demo's and the test's) in a temporary MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path / "media"
    seed_all()
    return Path(settings.MEDIA_ROOT)


def honey_photo(path: Path) -> None:
    """A phone photo of a honey jar: a JPEG with the farm's GPS position in its EXIF."""
    image = Image.new("RGB", (1200, 900), (246, 236, 214))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((420, 230, 780, 780), radius=60, fill=(214, 140, 28))
    draw.rectangle((450, 150, 750, 250), fill=(120, 72, 30))
    draw.rounded_rectangle((470, 420, 730, 600), radius=20, fill=(250, 244, 228))
    draw.ellipse((560, 470, 640, 550), fill=(214, 140, 28))
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (15.0, 11.0, 0.0), 3: "E", 4: (106.0, 14.0, 0.0)})
    image.save(path, "JPEG", exif=exif.tobytes(), quality=90)


def loaded(page: Any, selector: str) -> bool:
    """True once the image has been fetched and decoded by the browser."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s); return i && i.complete; }", arg=selector
    )
    return bool(page.eval_on_selector(selector, "i => i.complete && i.naturalWidth > 0"))


def test_lao_seller_adds_a_product_with_a_photo(
    demo: Path, live_server: Any, page: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    lo = f"{live_server.url}/lo"
    page.goto(f"{lo}/login/")
    page.locator("input[name=username]").fill(f"la-bolaven-coffee@{DOMAIN}")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{lo}/")

    # Dashboard → her products (the demo's) → add a product.
    page.goto(f"{lo}/marketplace/seller/")
    page.locator("a.seller-products-link").click()
    page.wait_for_url(re.compile(r".*/lo/marketplace/seller/products/$"))
    assert page.locator("tr[data-slug=la-bolaven-arabica]").count() == 1
    page.locator("a.button[href$='/products/new/']").click()
    page.wait_for_url(re.compile(r".*/products/new/$"))

    photo = tmp_path / "honey.jpg"
    honey_photo(photo)
    page.locator("#source_language").select_option("lo")
    page.locator("#title_lo").fill(TITLE_LO)
    page.locator("#description_lo").fill("ນ້ຳເຜິ້ງທຳມະຊາດ ຈາກປ່າປາກຊ່ອງ\n\nບັນຈຸ 500 ກຣາມ")
    page.locator("#title_en").fill("Bolaven Wild Honey 500 g")
    page.locator("#description_en").fill(
        "<p>Raw honey from the <strong>Bolaven Plateau</strong>.</p><script>alert('x')</script>"
    )
    page.locator("#category").select_option("food")
    page.locator("#price").fill("85000")
    page.locator("#stock").fill("25")
    page.locator("#weight_grams").fill("500")
    page.locator("#min_order_quantity").fill("2")
    page.locator("#tiers").fill("10 | 80000")
    page.locator("#images").set_input_files(str(photo))
    page.locator("#new_alt").fill("ໄຫນ້ຳເຜິ້ງ")
    page.locator("form.product-editor button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/products/la-bolaven-coffee-bolaven-wild-honey-500-g/edit/$"))

    product = Product.objects.get(slug="la-bolaven-coffee-bolaven-wild-honey-500-g")
    assert (product.price_minor, product.currency, product.min_order_quantity) == (
        8_500_000,
        "LAK",
        2,
    )
    image = ProductImage.objects.get(product=product)
    assert b"Exif" in photo.read_bytes()
    assert b"Exif" not in (demo / image.original.name).read_bytes()
    assert loaded(page, ".product-editor .images img")
    page.screenshot(path=str(screenshot_dir / "marketplace-seller-editor-lo.png"), full_page=True)

    # The product page shows the photo with its alt text; the script is gone.
    page.goto(f"{lo}/marketplace/products/{product.slug}/")
    assert page.locator("h1").inner_text() == TITLE_LO
    assert loaded(page, ".gallery img")
    assert page.locator(".gallery img").get_attribute("alt") == "ໄຫນ້ຳເຜິ້ງ"
    page.screenshot(path=str(screenshot_dir / "marketplace-seller-product-lo.png"), full_page=True)
    english = page.context.new_page()
    english.goto(f"{live_server.url}/en/marketplace/products/{product.slug}/")
    assert english.locator(".description strong").inner_text() == "Bolaven Plateau"
    assert english.locator(".description script").count() == 0
    english.close()

    # A search in Lao finds it, with its thumbnail on the card.
    page.goto(f"{lo}/marketplace/")
    page.locator("input[name=q]").fill("ນ້ຳເຜິ້ງ")
    page.locator("form.search button[type=submit]").click()
    card = page.locator(f".product-card[data-slug='{product.slug}']")
    card.wait_for()
    assert loaded(page, f".product-card[data-slug='{product.slug}'] .thumb img")
    page.screenshot(path=str(screenshot_dir / "marketplace-seller-search-lo.png"), full_page=True)
