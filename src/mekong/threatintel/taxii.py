"""The TAXII 2.1 server: every endpoint of the OASIS standard, served under ``/taxii2/``.

TAXII errors are TAXII error messages (``application/taxii+json;version=2.1``), not the API's
problem+json, because TAXII clients parse them. Authentication is HTTP Basic (a user's e-mail
and password) or an organisation API token (``Bearer`` or ``Token`` scheme); sessions are not
accepted, so the views are CSRF-exempt. Objects the caller may not see under TLP are simply
absent, and the paging cursor re-applies the caller's permissions on every page.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from django.contrib.auth import authenticate
from django.core import signing
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from mekong.identity.auth import SessionActorAuth, TokenAuth
from mekong.identity.contracts import Actor
from mekong.identity.errors import SandboxTokenRefused
from mekong.threatintel import selectors, services
from mekong.threatintel.models import ApiRoot, Collection, StixObject
from mekong.threatintel.validation import parse_timestamp

TAXII_TYPE = "application/taxii+json;version=2.1"
STIX_TYPE = "application/stix+json;version=2.1"
DEFAULT_PAGE = 100
MAX_PAGE = 1000
MATCH_FIELDS = ("id", "type", "version", "spec_version")

View = Callable[..., HttpResponse]


class TaxiiError(Exception):
    """A request-level failure, rendered as a TAXII error message with its HTTP status."""

    def __init__(self, status: int, title: str, description: str = "") -> None:
        super().__init__(title)
        self.status, self.title, self.description = status, title, description


def taxii_response(
    body: dict[str, Any], status: int = 200, headers: dict[str, str] | None = None
) -> HttpResponse:
    """Serialise a TAXII resource with the exact TAXII 2.1 media type."""
    response = HttpResponse(
        json.dumps(body, separators=(",", ":")), status=status, content_type=TAXII_TYPE
    )
    for name, value in (headers or {}).items():
        response[name.replace("_", "-")] = value
    return response


def error_response(error: TaxiiError) -> HttpResponse:
    """A TAXII error message; 401 carries the ``WWW-Authenticate`` challenge."""
    body: dict[str, Any] = {"title": error.title, "http_status": str(error.status)}
    if error.description:
        body["description"] = error.description
    response = taxii_response(body, status=error.status)
    if error.status == 401:
        response["WWW-Authenticate"] = 'Basic realm="taxii", charset="UTF-8"'
    return response


def authenticate_request(request: HttpRequest) -> Actor | None:
    """The caller from ``Authorization``: Basic (e-mail and password) or an API token."""
    header = request.headers.get("Authorization", "")
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        email, sep, password = decoded.partition(":")
        if not sep:
            return None
        user = authenticate(request, username=email, password=password)
        if user is None or not user.is_active:
            return None
        # Basic credentials act like a one-request login: no session is created.
        request.user = user
        basic_actor: Actor | None = SessionActorAuth().authenticate(request, None)
        return basic_actor
    try:
        actor: Actor | None = TokenAuth()(request)
    except SandboxTokenRefused as refused:
        # A TAXII client reads TAXII error messages, not the site's HTML error page.
        raise TaxiiError(403, "Sandbox token", refused.detail) from None
    return actor


def _accepts_taxii(accept: str) -> bool:
    if not accept.strip():
        return True  # no Accept header: serve the default (the spec lets servers be lenient)
    for item in accept.split(","):
        parts = [p.strip().lower() for p in item.split(";")]
        media, params = parts[0], [p.replace(" ", "") for p in parts[1:]]
        versions = [p.split("=", 1)[1] for p in params if p.startswith("version=")]
        if media in {"*/*", "application/*"}:
            return True
        if media == "application/taxii+json" and all(v == "2.1" for v in versions):
            return True
    return False


def taxii_view(methods: set[str]) -> Callable[[View], View]:
    """Wrap a TAXII endpoint: method, authentication, Accept negotiation, TAXII errors."""

    def decorate(func: View) -> View:
        @csrf_exempt
        @wraps(func)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                if request.method not in methods:
                    raise TaxiiError(405, "Method not allowed")
                actor = authenticate_request(request)
                if actor is None or actor.organisation_id is None:
                    raise TaxiiError(401, "Authentication required")
                if not _accepts_taxii(request.headers.get("Accept", "")):
                    raise TaxiiError(406, "Not acceptable", f"Responses are {TAXII_TYPE}")
                return func(request, actor, *args, **kwargs)
            except TaxiiError as error:
                response = error_response(error)
                if error.status == 405:
                    response["Allow"] = ", ".join(sorted(methods))
                return response

        return wrapper

    return decorate


def _stamp(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _api_root(slug: str) -> ApiRoot:
    root = ApiRoot.objects.filter(slug=slug).first()
    if root is None:
        raise TaxiiError(404, "API root not found")
    return root


def _collection(root: ApiRoot, collection_id: str, actor: Actor) -> tuple[Collection, bool, bool]:
    """The collection and the caller's rights; 404 when it may neither read nor write."""
    coll = Collection.objects.filter(api_root=root, id=collection_id).first()
    if coll is None:
        raise TaxiiError(404, "Collection not found")
    can_read, can_write = selectors.collection_access(
        collection=coll, organisation_id=actor.organisation_id
    )
    if not (can_read or can_write):
        raise TaxiiError(404, "Collection not found")
    return coll, can_read, can_write


def _require_read(can_read: bool) -> None:
    if not can_read:
        raise TaxiiError(403, "This collection is not readable by you")


# --- filters and paging ---------------------------------------------------------------------


def _single(request: HttpRequest, name: str) -> str | None:
    values = request.GET.getlist(name)
    if len(values) > 1:
        raise TaxiiError(400, "Bad request", f"{name} may appear only once")
    return values[0] if values else None


def _match_values(request: HttpRequest, field: str) -> list[str] | None:
    raw = _single(request, f"match[{field}]")
    if raw is None:
        return None
    values = [v for v in raw.split(",") if v]
    if not values:
        raise TaxiiError(400, "Bad request", f"match[{field}] is empty")
    return values


def _filtered(
    request: HttpRequest,
    base: QuerySet[StixObject],
    *,
    allowed: tuple[str, ...] = MATCH_FIELDS,
    version_filter: bool = True,
) -> QuerySet[StixObject]:
    """Apply ``added_after`` and ``match[...]`` to the caller's visible versions."""
    for key in request.GET:
        if key.startswith("match[") and key[6:-1] not in allowed:
            raise TaxiiError(400, "Bad request", f"{key} is not supported here")
    spec = _match_values(request, "spec_version")
    if spec is not None:
        base = base.filter(spec_version__in=spec)
    qs = base
    if (ids := _match_values(request, "id")) is not None:
        qs = qs.filter(stix_id__in=ids)
    if (types := _match_values(request, "type")) is not None:
        qs = qs.filter(type__in=types)
    added_after = _single(request, "added_after")
    if added_after is not None:
        try:
            qs = qs.filter(date_added__gt=parse_timestamp(added_after))
        except ValueError:
            raise TaxiiError(400, "Bad request", "added_after is not a timestamp") from None
    if version_filter:
        qs = _version_filtered(qs, base, _match_values(request, "version") or ["last"])
    return qs


def _version_filtered(
    qs: QuerySet[StixObject], base: QuerySet[StixObject], wanted: list[str]
) -> QuerySet[StixObject]:
    if "all" in wanted:
        if len(wanted) > 1:
            raise TaxiiError(400, "Bad request", "match[version]=all cannot be combined")
        return qs
    same_object = base.filter(stix_id=OuterRef("stix_id"))
    condition = Q()
    for value in wanted:
        if value == "last":
            latest = same_object.order_by("-version_at", "-pk").values("pk")[:1]
            condition |= Q(pk=Subquery(latest))
        elif value == "first":
            earliest = same_object.order_by("version_at", "pk").values("pk")[:1]
            condition |= Q(pk=Subquery(earliest))
        else:
            try:
                condition |= Q(version_at=parse_timestamp(value))
            except ValueError:
                raise TaxiiError(400, "Bad request", "match[version] is malformed") from None
    return qs.filter(condition)


def _limit(request: HttpRequest) -> int:
    raw = _single(request, "limit")
    if raw is None:
        return DEFAULT_PAGE
    if not raw.isdigit() or int(raw) < 1:
        raise TaxiiError(400, "Bad request", "limit must be a positive integer")
    return min(int(raw), MAX_PAGE)


def _cursor_salt(request: HttpRequest, actor: Actor) -> str:
    """Bind ``next`` to the caller and the query, so a cursor cannot widen what it reveals."""
    query = sorted((k, v) for k, v in request.GET.lists() if k not in {"next", "limit"})
    digest = hashlib.sha256(repr((request.path, query)).encode()).hexdigest()
    return f"threatintel.taxii.next:{actor.organisation_id}:{digest}"


def _page(
    request: HttpRequest, actor: Actor, qs: QuerySet[StixObject]
) -> tuple[list[StixObject], bool, str | None]:
    """One page in ``date_added`` order (keyset on date_added, pk), with the next cursor."""
    limit = _limit(request)
    token = _single(request, "next")
    salt = _cursor_salt(request, actor)
    if token is not None:
        try:
            cursor = signing.loads(token, salt=salt)
            after = parse_timestamp(cursor["d"])
            # The redundant ``>=`` lets the (collection, date_added) index seek to the cursor;
            # with the OR alone SQLite walked the index from the start of the collection.
            qs = qs.filter(date_added__gte=after).filter(
                Q(date_added__gt=after) | Q(date_added=after, pk__gt=cursor["p"])
            )
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise TaxiiError(400, "Bad request", "next is not valid for this query") from None
    rows = list(qs.order_by("date_added", "pk")[: limit + 1])
    more = len(rows) > limit
    rows = rows[:limit]
    next_token = None
    if more:
        last = rows[-1]
        next_token = signing.dumps({"d": _stamp(last.date_added), "p": last.pk}, salt=salt)
    return rows, more, next_token


def _date_headers(rows: list[StixObject]) -> dict[str, str]:
    if not rows:
        return {}
    return {
        "X_TAXII_Date_Added_First": _stamp(rows[0].date_added),
        "X_TAXII_Date_Added_Last": _stamp(rows[-1].date_added),
    }


def _envelope(
    rows: list[StixObject], more: bool, next_token: str | None, actor: Actor
) -> dict[str, Any]:
    body: dict[str, Any] = {"more": more}
    if next_token:
        body["next"] = next_token
    if rows:
        reader = selectors.Reader(actor.organisation_id, rows)  # granular markings
        body["objects"] = [reader.view(r) for r in rows]
    return body


# --- endpoints ------------------------------------------------------------------------------


@taxii_view({"GET"})
def discovery(request: HttpRequest, actor: Actor) -> HttpResponse:
    """``GET /taxii2/``: the server's title and its API roots."""
    roots = list(selectors.api_roots())
    body: dict[str, Any] = {
        "title": "Mekong threat-intelligence exchange",
        "description": "TAXII 2.1 server of the GMS Cybersecurity Alliance",
    }
    default = next((r for r in roots if r.is_default), None)
    if default is not None:
        body["default"] = f"/taxii2/{default.slug}/"
    if roots:
        body["api_roots"] = [f"/taxii2/{r.slug}/" for r in roots]
    return taxii_response(body)


@taxii_view({"GET"})
def api_root(request: HttpRequest, actor: Actor, root: str) -> HttpResponse:
    """``GET {api-root}/``: title, versions and the largest accepted POST."""
    obj = _api_root(root)
    body: dict[str, Any] = {
        "title": obj.title,
        "versions": [TAXII_TYPE],
        "max_content_length": obj.max_content_length,
    }
    if obj.description:
        body["description"] = obj.description
    return taxii_response(body)


@taxii_view({"GET"})
def status(request: HttpRequest, actor: Actor, root: str, status_id: str) -> HttpResponse:
    """``GET {api-root}/status/{id}/``: the outcome of one of the caller's POSTs."""
    obj = _api_root(root)
    assert actor.organisation_id is not None
    found = selectors.status_get_for(
        api_root=obj, organisation_id=actor.organisation_id, status_id=status_id
    )
    if found is None:
        raise TaxiiError(404, "Status not found")
    return taxii_response(status_body(found))


def status_body(found: Any) -> dict[str, Any]:
    """The TAXII status resource; empty lists are omitted as TAXII requires."""
    body: dict[str, Any] = {
        "id": str(found.id),
        "status": found.status,
        "request_timestamp": _stamp(found.request_timestamp),
        "total_count": found.total_count,
        "success_count": found.success_count,
        "failure_count": found.failure_count,
        "pending_count": found.pending_count,
    }
    if found.successes:
        body["successes"] = found.successes
    if found.failures:
        body["failures"] = found.failures
    return body


def _collection_body(coll: Collection, can_read: bool, can_write: bool) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": str(coll.id),
        "title": coll.title,
        "can_read": can_read,
        "can_write": can_write,
        "media_types": [STIX_TYPE],
    }
    if coll.description:
        body["description"] = coll.description
    if coll.alias:
        body["alias"] = coll.alias
    return body


@taxii_view({"GET"})
def collections(request: HttpRequest, actor: Actor, root: str) -> HttpResponse:
    """``GET {api-root}/collections/``: the collections the caller may read or write."""
    obj = _api_root(root)
    items = []
    for coll in selectors.collections_for(api_root=obj, organisation_id=actor.organisation_id):
        can_read, can_write = selectors.collection_access(
            collection=coll, organisation_id=actor.organisation_id
        )
        items.append(_collection_body(coll, can_read, can_write))
    return taxii_response({"collections": items} if items else {})


@taxii_view({"GET"})
def collection(request: HttpRequest, actor: Actor, root: str, collection_id: str) -> HttpResponse:
    """``GET {api-root}/collections/{id}/``."""
    coll, can_read, can_write = _collection(_api_root(root), collection_id, actor)
    return taxii_response(_collection_body(coll, can_read, can_write))


@taxii_view({"GET"})
def manifest(request: HttpRequest, actor: Actor, root: str, collection_id: str) -> HttpResponse:
    """``GET {api-root}/collections/{id}/manifest/``: one record per visible version."""
    coll, can_read, _ = _collection(_api_root(root), collection_id, actor)
    _require_read(can_read)
    base = selectors.visible_objects(organisation_id=actor.organisation_id, collection=coll)
    rows, more, next_token = _page(request, actor, _filtered(request, base))
    body: dict[str, Any] = {"more": more}
    if next_token:
        body["next"] = next_token
    if rows:
        body["objects"] = [
            {"id": r.stix_id, "date_added": _stamp(r.date_added), "version": r.version,
             "media_type": STIX_TYPE}
            for r in rows
        ]  # fmt: skip
    return taxii_response(body, headers=_date_headers(rows))


@taxii_view({"GET", "POST"})
def objects(request: HttpRequest, actor: Actor, root: str, collection_id: str) -> HttpResponse:
    """``GET`` (envelope of visible objects) and ``POST`` (add objects → 202 status)."""
    api = _api_root(root)
    coll, can_read, can_write = _collection(api, collection_id, actor)
    if request.method == "POST":
        return _post_objects(request, actor, api, coll, can_write)
    _require_read(can_read)
    base = selectors.visible_objects(organisation_id=actor.organisation_id, collection=coll)
    rows, more, next_token = _page(request, actor, _filtered(request, base))
    return taxii_response(_envelope(rows, more, next_token, actor), headers=_date_headers(rows))


def _post_objects(
    request: HttpRequest, actor: Actor, api: ApiRoot, coll: Collection, can_write: bool
) -> HttpResponse:
    if not can_write:
        raise TaxiiError(403, "This collection is not writable by you")
    content_type = request.headers.get("Content-Type", "")
    parts = [p.strip().lower().replace(" ", "") for p in content_type.split(";")]
    versions = [p.split("=", 1)[1] for p in parts[1:] if p.startswith("version=")]
    if parts[0] != "application/taxii+json" or any(v != "2.1" for v in versions):
        raise TaxiiError(415, "Unsupported media type", f"Send {TAXII_TYPE}")
    declared = request.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > api.max_content_length:
        raise TaxiiError(413, "Request too large", f"Limit: {api.max_content_length} bytes")
    body = request.body
    if len(body) > api.max_content_length:
        raise TaxiiError(413, "Request too large", f"Limit: {api.max_content_length} bytes")
    try:
        envelope = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise TaxiiError(422, "Unprocessable", "The body is not JSON") from None
    # stix2's TAXIICollectionSink posts a bundle: its "type" and "id" carry no meaning here.
    items = envelope.get("objects", []) if isinstance(envelope, dict) else None
    if not isinstance(items, list):
        raise TaxiiError(422, "Unprocessable", "The body must be an envelope with objects")
    assert actor.organisation_id is not None
    result = services.objects_add(
        api_root=api,
        collection=coll,
        organisation_id=actor.organisation_id,
        objects=items,
        actor_user_id=actor.user_id,
    )
    return taxii_response(status_body(result), status=202)


@taxii_view({"GET", "DELETE"})
def object_detail(
    request: HttpRequest, actor: Actor, root: str, collection_id: str, object_id: str
) -> HttpResponse:
    """``GET`` the versions of one object (default the last) or ``DELETE`` them."""
    coll, can_read, can_write = _collection(_api_root(root), collection_id, actor)
    if request.method == "DELETE" and not (can_read and can_write):
        raise TaxiiError(403, "Deleting needs read and write access")
    _require_read(can_read)
    base = selectors.visible_objects(organisation_id=actor.organisation_id, collection=coll).filter(
        stix_id=object_id
    )
    if not base.exists():
        raise TaxiiError(404, "Object not found")
    if request.method == "DELETE":
        rows = list(_filtered(request, base, allowed=("version", "spec_version")))
        if not rows:
            raise TaxiiError(404, "Object not found")
        assert actor.organisation_id is not None
        services.objects_delete(collection=coll, rows=rows, organisation_id=actor.organisation_id)
        return taxii_response({})
    qs = _filtered(request, base, allowed=("version", "spec_version"))
    rows, more, next_token = _page(request, actor, qs)
    return taxii_response(_envelope(rows, more, next_token, actor), headers=_date_headers(rows))


@taxii_view({"GET"})
def versions(
    request: HttpRequest, actor: Actor, root: str, collection_id: str, object_id: str
) -> HttpResponse:
    """``GET …/objects/{id}/versions/``: every visible version of one object."""
    coll, can_read, _ = _collection(_api_root(root), collection_id, actor)
    _require_read(can_read)
    base = selectors.visible_objects(organisation_id=actor.organisation_id, collection=coll).filter(
        stix_id=object_id
    )
    if not base.exists():
        raise TaxiiError(404, "Object not found")
    qs = _filtered(request, base, allowed=("spec_version",), version_filter=False)
    rows, more, next_token = _page(request, actor, qs)
    body: dict[str, Any] = {"more": more}
    if next_token:
        body["next"] = next_token
    if rows:
        body["versions"] = [r.version for r in rows]
    return taxii_response(body, headers=_date_headers(rows))


@taxii_view({"GET", "POST", "DELETE"})
def not_found(request: HttpRequest, actor: Actor, rest: str = "") -> HttpResponse:
    """Any other path under ``/taxii2/``: a TAXII 404, not the site's HTML page."""
    raise TaxiiError(404, "Not found")
