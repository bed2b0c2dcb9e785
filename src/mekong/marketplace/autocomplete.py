"""Search-as-you-type suggestions for the marketplace search box.

``GET /api/v1/marketplace/suggest?q=…&lang=…`` (public): up to `LIMIT` product titles that
contain what was typed, folded like search (:func:`mekong.core.text.search_key`: Vietnamese
without tones, Zawgyi, case, Lao ໜ/ຫນ all meet the stored titles) and matched as one substring,
so a run of Thai, Lao, Khmer or Burmese letters is found inside a title written without spaces.
A title is only ever suggested in its own script because it must contain the typed letters.

Order: titles that start with the text, then those with a word that starts with it, then the
rest; within each, titles in ``lang`` first, then the shorter, then alphabetical (folded key).
Bounded work: the first `CANDIDATES` matching titles (index order) are ranked, like the search
window (:mod:`mekong.marketplace.search`): when more titles match, the suggestions are the best
of those. Text shorter than `MIN_CHARS` code points suggests nothing (one letter narrows
nothing); text that folds to nothing (spaces, joiners only) is invalid input.

Mounted under ``/marketplace/suggest`` by :mod:`mekong.marketplace.api`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import Field

from mekong.core.schemas import COMMON_ERRORS
from mekong.core.text import search_key
from mekong.marketplace.errors import InvalidInput
from mekong.marketplace.search import entries_with_title, tune_sqlite

router = Router(tags=["marketplace"])

#: Suggestions returned at most.
LIMIT = 8
#: Matching titles ranked at most (index order), see the module docstring.
CANDIDATES = 200
#: Folded code points needed before anything is suggested.
MIN_CHARS = 2
MAX_QUERY_CHARS = 100

Language = Literal["en", "th", "vi", "km", "lo", "my"]


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One suggested product title, in the language it is written in."""

    title: str
    slug: str
    language: str


def suggestions_for(query: str, *, language: str = "en", limit: int = LIMIT) -> list[Suggestion]:
    """Product titles that contain ``query`` (folded), best first, distinct titles.

    Reads only. Raises `InvalidInput` when the query folds to nothing.
    """
    key = search_key(query[:MAX_QUERY_CHARS]).strip()
    if not key:
        raise InvalidInput()
    if len(key) < MIN_CHARS:
        return []
    tune_sqlite()
    rows = entries_with_title(key).values_list(
        "title_folded", "translation__title", "translation__language", "product__slug"
    )[:CANDIDATES]

    def rank(row: tuple[str, str, str, str]) -> tuple[int, int, int, str, str]:
        folded, _title, lang, slug = row
        at = folded.find(key)
        where = 0 if at == 0 else 1 if folded[at - 1] == " " else 2
        return (where, 0 if lang == language else 1, len(folded), folded, slug)

    out: list[Suggestion] = []
    seen: set[str] = set()
    for _folded, title, lang, slug in sorted(rows, key=rank):
        if title not in seen:
            seen.add(title)
            out.append(Suggestion(title=title, slug=slug, language=lang))
            if len(out) == limit:
                break
    return out


class SuggestQuery(Schema):
    """What was typed in the search box, and the reader's language (ranked first)."""

    q: str = Field(min_length=1, max_length=MAX_QUERY_CHARS)
    lang: Language = "en"


class SuggestionOut(Schema):
    """A product title to offer; ``language`` is the title's, ``slug`` the product's."""

    title: str
    slug: str
    language: str


class SuggestOut(Schema):
    """Suggestions for ``query``, best first (at most 8)."""

    query: str
    suggestions: list[SuggestionOut]


@router.get(
    "",
    auth=None,
    response={200: SuggestOut, **COMMON_ERRORS},
    summary="Suggest product titles while typing (public)",
)
def suggest(request: HttpRequest, params: Query[SuggestQuery]) -> SuggestOut:
    """Titles containing ``q`` in any script, folded like search (public).

    Errors: ``validation_error`` (``q`` missing, empty or over 100 characters, unknown
    ``lang``), ``marketplace_invalid_input`` (``q`` is only spaces or invisible characters).
    """
    found = suggestions_for(params.q, language=params.lang)
    return SuggestOut(
        query=params.q,
        suggestions=[SuggestionOut(title=s.title, slug=s.slug, language=s.language) for s in found],
    )
