"""A small realistic catalogue in six languages: the demo seed and the relevance fixtures.

Pure data (no Django). Products belong to the demo SME organisations of every country
(``mekong.identity.demo``); prices are in major units of the seller's currency. Product names
are illustrative, not offers of real businesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CatalogueProduct:
    """One product: who sells it, and its texts as ``{language: (title, description)}``."""

    slug: str
    seller: str
    category: str
    price: str
    stock: int
    source_language: str
    texts: dict[str, tuple[str, str]] = field(default_factory=dict)


# organisation slug → (country, verified)
SELLERS: dict[str, tuple[str, bool]] = {
    "th-doi-chaang": ("TH", True),
    "la-bolaven-coffee": ("LA", True),
    "kh-kampot-pepper": ("KH", True),
    "mm-shan-tea": ("MM", True),
    "vn-dak-lak-coffee": ("VN", True),
}

P = CatalogueProduct

PRODUCTS: tuple[CatalogueProduct, ...] = (
    # Thailand
    P(
        "th-doi-chaang-coffee",
        "th-doi-chaang",
        "coffee",
        "320.00",
        120,
        "th",
        {
            "th": ("กาแฟดอยช้างคั่วกลาง 250 กรัม", "เมล็ดกาแฟอาราบิก้าจากดอยช้าง จังหวัดเชียงราย คั่วกลาง"),
            "en": (
                "Doi Chaang Arabica Coffee, Medium Roast 250 g",
                "Arabica beans grown on Doi Chaang, Chiang Rai.",
            ),
            "vi": (
                "Cà phê Arabica Doi Chaang rang vừa",
                "Hạt Arabica trồng ở Doi Chaang, Chiang Rai.",
            ),
        },
    ),
    P(
        "th-mudmee-silk",
        "th-doi-chaang",
        "textiles",
        "1850.00",
        8,
        "th",
        {
            "th": ("ผ้าไหมไทยทอมือลายมัดหมี่", "ผ้าพันคอไหมแท้ ทอมือจากจังหวัดสุรินทร์"),
            "en": ("Thai Hand-woven Mudmee Silk Scarf", "Pure silk scarf, hand-woven in Surin."),
        },
    ),
    P(
        "th-hom-mali-rice",
        "th-doi-chaang",
        "rice",
        "245.00",
        300,
        "th",
        {
            "th": ("ข้าวหอมมะลิทุ่งกุลาร้องไห้ 5 กก.", "ข้าวหอมมะลิ 105 จากทุ่งกุลาร้องไห้"),
            "en": ("Thai Hom Mali Jasmine Rice 5 kg", "Hom Mali 105 from Thung Kula Rong Hai."),
            "km": ("អង្ករផ្កាម្លិះថៃ ៥ គីឡូ", "អង្ករក្រអូបពីប្រទេសថៃ"),
        },
    ),
    P(
        "th-fish-sauce",
        "th-doi-chaang",
        "food",
        "65.00",
        500,
        "th",
        {
            "th": ("น้ำปลาแท้ 700 มล.", "น้ำปลาจากปลากะตักหมักเกลือ"),
            "en": ("Thai Fish Sauce 700 ml", "Anchovy fish sauce, naturally fermented."),
        },
    ),
    P(
        "th-oolong-tea",
        "th-doi-chaang",
        "tea",
        "280.00",
        40,
        "th",
        {
            "th": ("ชาอู่หลงดอยแม่สลอง", "ชาอู่หลงเบอร์ 12 ปลูกบนดอยแม่สลอง"),
            "en": ("Doi Mae Salong Oolong Tea", "Oolong No. 12 grown on Doi Mae Salong."),
        },
    ),
    P(
        "th-sticky-rice-basket",
        "th-doi-chaang",
        "handicrafts",
        "150.00",
        25,
        "th",
        {
            "th": ("กระติบข้าวเหนียวไม้ไผ่สาน", "กระติบสานมือจากไม้ไผ่"),
            "en": ("Woven Bamboo Sticky Rice Basket", "Hand-woven bamboo basket for sticky rice."),
            "lo": ("ກະຕິບເຂົ້າໜຽວໄມ້ໄຜ່", "ກະຕິບສານດ້ວຍມື"),
        },
    ),
    P(
        "th-white-pepper",
        "th-doi-chaang",
        "spices",
        "120.00",
        0,
        "th",
        {
            "th": ("พริกไทยขาวจันทบุรี", "พริกไทยขาวป่นจากจันทบุรี"),
            "en": ("Chanthaburi White Pepper", "Ground white pepper from Chanthaburi."),
        },
    ),
    # Lao PDR
    P(
        "la-bolaven-arabica",
        "la-bolaven-coffee",
        "coffee",
        "95000.00",
        200,
        "lo",
        {
            "lo": ("ກາເຟອາຣາບິກາພູພຽງບໍລະເວນ", "ເມັດກາເຟຄົ່ວ ຈາກເມືອງປາກຊ່ອງ ແຂວງຈຳປາສັກ"),
            "en": (
                "Bolaven Plateau Arabica Coffee 500 g",
                "Roasted beans from Paksong, Champasak.",
            ),
            "vi": ("Cà phê Arabica cao nguyên Bolaven (Lào)", "Cà phê rang từ Paksong, Champasak."),
            "th": ("กาแฟอาราบิก้าที่ราบสูงโบลาเวน", "กาแฟคั่วจากปากซอง ประเทศลาว"),
        },
    ),
    P(
        "la-paksong-robusta",
        "la-bolaven-coffee",
        "coffee",
        "150000.00",
        60,
        "lo",
        {
            "lo": ("ກາເຟໂຣບັສຕາປາກຊ່ອງ 1 ກິໂລ", "ເມັດກາເຟດິບ"),
            "en": ("Paksong Robusta Coffee Beans 1 kg", "Green robusta beans."),
        },
    ),
    P(
        "la-sticky-rice",
        "la-bolaven-coffee",
        "rice",
        "60000.00",
        150,
        "lo",
        {
            "lo": ("ເຂົ້າໜຽວລາວ 5 ກິໂລ", "ເຂົ້າໜຽວປູກຢູ່ແຂວງສະຫວັນນະເຂດ"),
            "en": ("Lao Sticky Rice 5 kg", "Glutinous rice grown in Savannakhet."),
        },
    ),
    P(
        "la-silk-sinh",
        "la-bolaven-coffee",
        "textiles",
        "1200000.00",
        5,
        "lo",
        {
            "lo": ("ຜ້າໄໝລາວຕ່ຳມື", "ສິ້ນໄໝທໍດ້ວຍມື ຈາກຫຼວງພະບາງ"),
            "en": ("Lao Hand-woven Silk Sinh", "Silk skirt hand-woven in Luang Prabang."),
        },
    ),
    P(
        "la-phongsaly-tea",
        "la-bolaven-coffee",
        "tea",
        "80000.00",
        30,
        "lo",
        {
            "lo": ("ຊາປ່າຜົ້ງສາລີ", "ໃບຊາປ່າອາຍຸຫຼາຍຮ້ອຍປີ"),
            "en": ("Phongsaly Wild Tea", "Leaves from centuries-old wild tea trees."),
        },
    ),
    P(
        "la-bamboo-basket",
        "la-bolaven-coffee",
        "handicrafts",
        "70000.00",
        0,
        "lo",
        {
            "lo": ("ກະຕ່າໄມ້ໄຜ່ສານ", "ກະຕ່າສານດ້ວຍມື"),
            "en": ("Lao Woven Bamboo Basket", "Hand-woven bamboo basket."),
        },
    ),
    # Cambodia
    P(
        "kh-kampot-black-pepper",
        "kh-kampot-pepper",
        "spices",
        "38000.00",
        400,
        "km",
        {
            "km": ("ម្រេចខ្មៅកំពត ១០០ក្រាម", "ម្រេចកំពតសរីរាង្គ"),
            "en": ("Kampot Black Pepper 100 g", "Organic Kampot pepper (PGI)."),
            "vi": ("Tiêu đen Kampot", "Tiêu hữu cơ từ Kampot, Campuchia."),
        },
    ),
    P(
        "kh-kampot-red-pepper",
        "kh-kampot-pepper",
        "spices",
        "52000.00",
        90,
        "km",
        {
            "km": ("ម្រេចក្រហមកំពត", "ម្រេចទុំក្រហមបេះដោយដៃ"),
            "en": ("Kampot Red Pepper 100 g", "Ripe red peppercorns picked by hand."),
        },
    ),
    P(
        "kh-phka-malis-rice",
        "kh-kampot-pepper",
        "rice",
        "30000.00",
        250,
        "km",
        {
            "km": ("អង្ករផ្កាម្លិះ ៥ គីឡូ", "អង្ករក្រអូបពីខេត្តបាត់ដំបង"),
            "en": ("Cambodian Jasmine Rice (Phka Malis) 5 kg", "Fragrant rice from Battambang."),
        },
    ),
    P(
        "kh-silk-krama",
        "kh-kampot-pepper",
        "textiles",
        "60000.00",
        20,
        "km",
        {
            "km": ("ក្រមាសូត្រ", "ក្រមាត្បាញដោយដៃពីតាកែវ"),
            "en": ("Silk Krama Scarf", "Hand-woven chequered silk scarf from Takeo."),
        },
    ),
    P(
        "kh-palm-sugar",
        "kh-kampot-pepper",
        "food",
        "12000.00",
        100,
        "km",
        {
            "km": ("ស្ករត្នោតកំពង់ស្ពឺ", "ស្ករត្នោតធម្មជាតិ"),
            "en": ("Kampong Speu Palm Sugar", "Natural palm sugar (PGI)."),
        },
    ),
    P(
        "kh-silver-box",
        "kh-kampot-pepper",
        "handicrafts",
        "280000.00",
        3,
        "km",
        {
            "km": ("ប្រអប់ប្រាក់ចម្លាក់", "ប្រអប់ស្លាម្លូធ្វើពីប្រាក់"),
            "en": ("Engraved Silver Betel Box", "Hand-engraved silver box."),
        },
    ),
    P(
        "kh-mondulkiri-coffee",
        "kh-kampot-pepper",
        "coffee",
        "40000.00",
        0,
        "km",
        {
            "km": ("កាហ្វេមណ្ឌលគិរី", "កាហ្វេរ៉ូបូស្តាពីខេត្តមណ្ឌលគិរី"),
            "en": ("Mondulkiri Coffee", "Robusta coffee from Mondulkiri."),
        },
    ),
    # Myanmar
    P(
        "mm-shan-laphet",
        "mm-shan-tea",
        "tea",
        "8000.00",
        80,
        "my",
        {
            "my": ("ရှမ်းလက်ဖက်", "ရှမ်းပြည်နယ်မှ လက်ဖက်ခြောက်"),
            "en": ("Shan Pickled Tea Leaves (Laphet)", "Fermented tea leaves from Shan State."),
        },
    ),
    P(
        "mm-laphet-thoke",
        "mm-shan-tea",
        "food",
        "6500.00",
        60,
        "my",
        {
            "my": ("လက်ဖက်သုပ် အစုံ", "လက်ဖက်၊ ပဲ၊ နှမ်း"),
            "en": ("Laphet Thoke Tea Leaf Salad Kit", "Tea leaves, fried beans and sesame."),
        },
    ),
    P(
        "mm-shan-coffee",
        "mm-shan-tea",
        "coffee",
        "15000.00",
        40,
        "my",
        {
            "my": ("ရှမ်းကော်ဖီ", "ရွာငံ ကော်ဖီစေ့"),
            "en": ("Shan Highland Coffee Beans", "Coffee beans from Ywangan."),
        },
    ),
    P(
        "mm-silk-longyi",
        "mm-shan-tea",
        "textiles",
        "85000.00",
        12,
        "my",
        {
            "my": ("ပိုးပုဆိုး", "မန္တလေး အမရပူရ ပိုးထည်"),
            "en": ("Amarapura Silk Longyi", "Silk longyi woven in Amarapura, Mandalay."),
        },
    ),
    P(
        "mm-thanaka",
        "mm-shan-tea",
        "handicrafts",
        "3000.00",
        200,
        "my",
        {
            "my": ("သနပ်ခါး", "သနပ်ခါးတုံး"),
            "en": ("Thanaka Bark", "Thanaka wood for the traditional face paste."),
        },
    ),
    P(
        "mm-bagan-lacquer",
        "mm-shan-tea",
        "handicrafts",
        "45000.00",
        6,
        "my",
        {
            "my": ("ပုဂံ ယွန်းထည် ဖလား", "လက်မှုပစ္စည်း"),
            "en": ("Bagan Lacquerware Bowl", "Hand-made lacquerware from Bagan."),
        },
    ),
    P(
        "mm-paw-san-rice",
        "mm-shan-tea",
        "rice",
        "25000.00",
        90,
        "my",
        {
            "my": ("ပေါ်ဆန်းမွှေး ဆန်", "ဧရာဝတီ ဆန်"),
            "en": ("Paw San Fragrant Rice", "Fragrant rice from the Ayeyarwady delta."),
        },
    ),
    # Viet Nam
    P(
        "vn-dak-lak-robusta",
        "vn-dak-lak-coffee",
        "coffee",
        "180000",
        300,
        "vi",
        {
            "vi": ("Cà phê Robusta Đắk Lắk rang xay", "Hạt cà phê Robusta từ Buôn Ma Thuột."),
            "en": ("Dak Lak Robusta Ground Coffee", "Robusta from Buon Ma Thuot."),
            "th": ("กาแฟโรบัสต้าดักลัก", "กาแฟคั่วบดจากเวียดนาม"),
        },
    ),
    P(
        "vn-da-lat-arabica",
        "vn-dak-lak-coffee",
        "coffee",
        "250000",
        70,
        "vi",
        {
            "vi": ("Cà phê Arabica Đà Lạt", "Cà phê Cầu Đất, Lâm Đồng."),
            "en": ("Da Lat Arabica Coffee", "Coffee from Cau Dat, Lam Dong."),
        },
    ),
    P(
        "vn-phu-quoc-pepper",
        "vn-dak-lak-coffee",
        "spices",
        "95000",
        150,
        "vi",
        {
            "vi": ("Tiêu đen Phú Quốc", "Hạt tiêu đen phơi nắng."),
            "en": ("Phu Quoc Black Pepper", "Sun-dried black peppercorns."),
        },
    ),
    P(
        "vn-fish-sauce",
        "vn-dak-lak-coffee",
        "food",
        "120000",
        0,
        "vi",
        {
            "vi": ("Nước mắm Phú Quốc 40 độ đạm", "Nước mắm cá cơm truyền thống."),
            "en": ("Phu Quoc Fish Sauce", "Traditional anchovy fish sauce."),
        },
    ),
    P(
        "vn-st25-rice",
        "vn-dak-lak-coffee",
        "rice",
        "210000",
        500,
        "vi",
        {
            "vi": ("Gạo ST25 Sóc Trăng 5 kg", "Gạo thơm ngon nhất thế giới 2019."),
            "en": ("ST25 Soc Trang Rice 5 kg", "Fragrant rice from Soc Trang."),
        },
    ),
    P(
        "vn-van-phuc-silk",
        "vn-dak-lak-coffee",
        "textiles",
        "650000",
        15,
        "vi",
        {
            "vi": ("Khăn lụa tơ tằm Vạn Phúc", "Lụa tơ tằm dệt tay ở Hà Đông."),
            "en": ("Van Phuc Mulberry Silk Scarf", "Hand-woven silk from Ha Dong."),
        },
    ),
    P(
        "vn-shan-tuyet-tea",
        "vn-dak-lak-coffee",
        "tea",
        "300000",
        35,
        "vi",
        {
            "vi": ("Trà Shan tuyết Hà Giang", "Chè cổ thụ trên núi cao."),
            "en": ("Ha Giang Shan Tuyet Tea", "Tea from ancient mountain trees."),
        },
    ),
    P(
        "vn-conical-hat",
        "vn-dak-lak-coffee",
        "handicrafts",
        "90000",
        40,
        "vi",
        {
            "vi": ("Nón lá Huế", "Nón lá bài thơ làm thủ công."),
            "en": ("Hue Conical Palm-leaf Hat", "Hand-made palm-leaf hat from Hue."),
        },
    ),
)
