"""Normalisation of user-written text in Burmese, Thai, Lao, Khmer and Vietnamese (no Django).

Every piece of user text goes through :func:`normalize_text` once, before it is stored; search
indexes store :func:`search_key` (recall) and :func:`exact_key` (ranking) of it, and queries go
through the same functions.  Submodules, by subject:

- ``normalize``: the pipeline, the keys and :class:`NormalizedText`;
- ``zawgyi``: Zawgyi detection (Google's myanmar-tools) and Zawgyi → Unicode conversion;
- ``burmese``, ``thai``, ``lao``, ``khmer``, ``vietnamese``: script repairs NFC cannot do;
- ``folding``: the search-key folds (Latin diacritics, native digits, spelling variants).

The facts behind each rule are cited in the comments next to it (the project's research notes,
``shared/research/marketplace.md`` §3–4, have the tests that established them).
"""

from mekong.core.text.normalize import (
    NormalizedText,
    exact_key,
    normalize_text,
    normalize_text_report,
    search_key,
)
from mekong.core.text.zawgyi import (
    ZAWGYI_THRESHOLD,
    is_zawgyi,
    zawgyi_probability,
    zawgyi_to_unicode,
)

__all__ = [
    "ZAWGYI_THRESHOLD",
    "NormalizedText",
    "exact_key",
    "is_zawgyi",
    "normalize_text",
    "normalize_text_report",
    "search_key",
    "zawgyi_probability",
    "zawgyi_to_unicode",
]
