"""Generate src/mekong/core/tests/data/zawgyi_pairs.json with ICU (scratch venv /tmp/icu-venv)."""
import datetime, json, sys, icu, unicodedata
import corpus as C
fwd = icu.Transliterator.createInstance('my-Zawgyi')
rev = icu.Transliterator.createInstance('Zawgyi-my')
groups = [("greeting", C.GREETINGS), ("place", C.PLACES), ("product", C.PRODUCTS),
          ("stacked", C.STACKED), ("kinzi", C.KINZI), ("medial", C.MEDIALS),
          ("independent_vowel", C.INDEPENDENT), ("number", C.NUMBERS), ("phrase", C.PHRASES)]
seen = set(); pairs = []
for cat, words in groups:
    for w in words:
        if w in seen: continue
        seen.add(w)
        assert unicodedata.is_normalized('NFC', w)
        z = fwd.transliterate(w); back = rev.transliterate(z)
        item = {"category": cat, "zawgyi": z, "unicode": back}
        if back != w:
            item["unicode_source"] = w
        pairs.append(item)
doc = {
    "description": (
        "Zawgyi -> Unicode pairs for real Burmese words and phrases. Each Unicode source string "
        "(written by hand: greetings, places, products, stacked consonants, kinzi, medials, "
        "independent vowels, numbers, marketplace phrases) was converted to Zawgyi with ICU's "
        "CLDR transform 'my-Zawgyi'; 'unicode' is ICU 'Zawgyi-my' applied to that Zawgyi, i.e. the "
        "reference answer. 'unicode_source' is present where ICU's round trip does not give the "
        "source back (စ + medial YA is read as ဈ: the two look alike in Zawgyi fonts)."),
    "generated_by": {
        "tool": "PyICU %s" % icu.VERSION,
        "icu_version": icu.ICU_VERSION,
        "unicode_version": icu.UNICODE_VERSION,
        "forward_transform": "my-Zawgyi",
        "reverse_transform": "Zawgyi-my",
        "python": sys.version.split()[0],
        "date": datetime.date.today().isoformat(),
    },
    "count": len(pairs),
    "pairs": pairs,
}
out = sys.argv[1] if len(sys.argv) > 1 else '../../src/mekong/core/tests/data/zawgyi_pairs.json'
head = json.dumps({k: v for k, v in doc.items() if k != "pairs"}, ensure_ascii=False, indent=1)
body = ",\n".join("  " + json.dumps(p, ensure_ascii=False) for p in pairs)
text = head[:-2] + ',\n "pairs": [\n' + body + "\n ]\n}\n"
json.loads(text)
with open(out, 'w', encoding='utf-8') as f:
    f.write(text)
print(len(pairs), sum('unicode_source' in p for p in pairs), sum(p['zawgyi']==p['unicode'] for p in pairs))
