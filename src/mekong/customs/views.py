"""Pages of customs documents: the exporter's documents and forms, the printable document with
its QR code, redacted copies, the authority's revocations, and the PUBLIC verify page.

The verify page runs the same offline verifier as ``mekong docs verify``; it needs no account.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from mekong.core.countries import COUNTRIES
from mekong.core.errors import RateLimited
from mekong.customs import (
    errors,
    facade,
    formspec,
    printable,
    ratelimit,
    selectors,
    services,
)
from mekong.customs.contracts import VerificationResult
from mekong.customs.documents.disclosure import flatten
from mekong.customs.messages import CHECK_LABELS, CHECK_REASONS
from mekong.customs.models import Document
from mekong.identity import facade as identity
from mekong.identity.auth import SessionActorAuth
from mekong.identity.contracts import Actor

TYPE_SLUGS = {"invoice": "commercial_invoice", "form-d": "atiga_form_d"}


def _actor(request: HttpRequest) -> Actor:
    actor = SessionActorAuth().authenticate(request, None)
    assert isinstance(actor, Actor)  # the views are login_required
    return actor


def _type_label(doc_type: str) -> str:
    return {
        "atiga_form_d": gettext("ATIGA certificate of origin (Form D)"),
        "commercial_invoice": gettext("Commercial invoice"),
        "packing_list": gettext("Packing list"),
        "customs_declaration": gettext("Export declaration (ACDD)"),
    }.get(doc_type, doc_type)


def home(request: HttpRequest) -> HttpResponse:
    """The module's page: my documents (when logged in) and the link to verify a document."""
    docs: list[Document] = []
    is_authority = False
    if request.user.is_authenticated:
        actor = _actor(request)
        docs = list(selectors.documents_for(actor)[:50])
        is_authority = selectors.operates_authority(actor)
    return render(
        request,
        "customs/home.html",
        {
            "docs": [(d, _type_label(d.doc_type)) for d in docs],
            "is_authority": is_authority,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def document_new(request: HttpRequest, kind: str) -> HttpResponse:
    """Fill in an invoice or a Form D (new, or a draft with ``?draft=<id>``) and issue it."""
    doc_type = TYPE_SLUGS.get(kind)
    if doc_type is None:
        raise Http404
    actor = _actor(request)
    org = identity.organisation_info(actor.organisation_id or 0)
    if org is None:
        messages.error(request, gettext("Choose the organisation you act for first."))
        return redirect("identity:organisations")
    draft: Document | None = None
    draft_id = request.GET.get("draft") or request.POST.get("draft", "")
    if draft_id:
        try:
            draft = selectors.document_get_for(actor=actor, document_id=uuid.UUID(draft_id))
        except (ValueError, errors.DocumentNotFound):
            raise Http404 from None
        if draft.status != Document.Status.DRAFT or draft.doc_type != doc_type:
            raise Http404
    party = {"name": org.name, "address": "", "country": org.country}
    initial: dict[str, Any] = (
        dict(draft.data)
        if draft
        else (
            {
                "seller": party,
                "currency": COUNTRIES[org.country].currency if org.country in COUNTRIES else "USD",
            }
            if doc_type == "commercial_invoice"
            else {"exporter": party, "issued_in": org.country}
        )
    )
    problems: list[dict[str, str]] = []
    raw: dict[str, str] | None = None
    field_errors: dict[str, str] = {}
    if request.method == "POST":
        raw = {k: request.POST.get(k, "") for k in request.POST if k.startswith("f:")}
        filled = formspec.parse(doc_type, raw, initial)
        field_errors = dict(filled.errors)
        if not field_errors:
            try:
                if draft is not None:
                    services.document_draft_update(actor=actor, document=draft, data=filled.data)
                    doc = services.document_submit(
                        actor=actor, document=draft, organisation_country=org.country
                    )
                else:
                    if actor.role in {None, "viewer"}:
                        raise errors.NotAMember()
                    doc = services.document_issue(
                        organisation_id=org.id,
                        organisation_country=org.country,
                        doc_type=doc_type,
                        data=filled.data,
                        user_id=actor.user_id,
                    )
            except errors.InvalidDocument as exc:
                for err in exc.extra.get("errors", []):
                    pointer = formspec.form_pointer(err["pointer"], filled.row_map)
                    field_errors.setdefault(pointer, err["message"])
            else:
                messages.success(request, gettext("The document was signed and anchored."))
                return redirect("customs:document", document_id=doc.pk)
    top, rows = formspec.fields_for(doc_type, initial, raw, field_errors)
    known = {f.pointer for f in top} | {f.pointer for row in rows for f in row}
    problems = [
        {"pointer": p, "message": m} for p, m in sorted(field_errors.items()) if p not in known
    ]
    return render(
        request,
        "customs/document_form.html",
        {
            "kind": kind,
            "type_label": _type_label(doc_type),
            "fields": top,
            "rows": rows,
            "problems": problems,
            "has_errors": bool(field_errors),
            "draft": draft,
        },
    )


def _qr_data_uri(request: HttpRequest, doc: Document) -> tuple[str, str]:
    url = request.build_absolute_uri(
        reverse("customs:verify") + f"?id={doc.pk}&hash={doc.document_hash}"
    )
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2), url


def _rows(data: Any) -> list[tuple[str, str]]:
    return [
        (pointer, json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value)
        for pointer, value in flatten(data).items()
    ]


@login_required
def document_detail(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """The printable document with its QR code, download and redaction, and revocation."""
    actor = _actor(request)
    try:
        doc = selectors.document_get_for(actor=actor, document_id=document_id)
    except errors.DocumentNotFound:
        raise Http404 from None
    qr, qr_url = _qr_data_uri(request, doc) if doc.status == Document.Status.ISSUED else ("", "")
    can_revoke = (
        doc.status == Document.Status.ISSUED
        and doc.revoked_at is None
        and doc.authority is not None
        and doc.authority.organisation_id == actor.organisation_id
        and actor.can_manage
    )
    return render(
        request,
        "customs/document.html",
        {
            "doc": doc,
            "type_label": _type_label(doc.doc_type),
            "rows": _rows(doc.data),
            "sections": printable.sections(doc.data),
            "qr": qr,
            "qr_url": qr_url,
            "can_revoke": can_revoke,
            "edit_kind": {v: k for k, v in TYPE_SLUGS.items()}.get(doc.doc_type),
        },
    )


@login_required
def document_download(request: HttpRequest, document_id: uuid.UUID) -> HttpResponse:
    """Download the verifiable file; ``hide`` (repeatable) makes a redacted copy."""
    actor = _actor(request)
    try:
        doc = selectors.document_get_for(actor=actor, document_id=document_id)
        file = selectors.document_file(doc, hide=request.GET.getlist("hide"))
    except errors.DocumentNotFound:
        raise Http404 from None
    except (errors.NotIssued, errors.InvalidRedaction) as exc:
        messages.error(request, exc.detail)
        return redirect("customs:document", document_id=document_id)
    suffix = "-redacted" if file["privacy"]["obfuscated"] else ""
    response = JsonResponse(file, json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{doc.doc_type}-{doc.pk}{suffix}.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def authority(request: HttpRequest) -> HttpResponse:
    """The issuing authority's page: documents it issued, each revocable with a reason."""
    actor = _actor(request)
    if not selectors.operates_authority(actor):
        raise Http404
    if request.method == "POST":
        try:
            doc = selectors.document_get_for(
                actor=actor, document_id=uuid.UUID(request.POST.get("document", ""))
            )
            services.document_revoke(
                actor=actor, document=doc, reason=request.POST.get("reason", "")
            )
        except ValueError:
            raise Http404 from None
        except (errors.DocumentNotFound, errors.NotIssued) as exc:
            messages.error(request, exc.detail)
        except (errors.AlreadyRevoked, errors.NotTheAuthority) as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request, gettext("The document was revoked; the revocation is anchored in the log.")
            )
        return redirect("customs:authority")
    docs = selectors.documents_of_authority(actor)[:100]
    return render(
        request,
        "customs/authority.html",
        {"docs": [(d, _type_label(d.doc_type)) for d in docs], "can_manage": actor.can_manage},
    )


@dataclass(frozen=True)
class CheckRow:
    """One check in the reader's language."""

    name: str
    ok: bool
    label: str
    explanation: str
    detail: str


def _check_rows(result: VerificationResult) -> list[CheckRow]:
    return [
        CheckRow(
            c.name,
            c.ok,
            str(CHECK_LABELS.get(c.name, c.name)),
            str(CHECK_REASONS.get(result.reasons.get(c.name, "ok"), CHECK_REASONS["ok"])),
            "" if c.detail == "ok" else c.detail,
        )
        for c in result.checks
    ]


def _read_qr(upload: Any) -> tuple[str, str] | None:
    """Document id and hash from a photo or scan of the document's QR code, if readable."""
    from urllib.parse import parse_qs, urlsplit

    import zxingcpp
    from PIL import Image, UnidentifiedImageError

    try:
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        return None
    for result in zxingcpp.read_barcodes(image):
        query = parse_qs(urlsplit(result.text).query)
        if query.get("id"):
            return query["id"][0], query.get("hash", [""])[0]
    return None


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    """PUBLIC: verify an uploaded or pasted document file, a QR code image, or (from the QR
    code's link) a stored document by id and hash. Each check with ✓/✗ and its reason."""
    result: VerificationResult | None = None
    error = ""
    limited = False
    doc_id, doc_hash = request.GET.get("id", ""), request.GET.get("hash", "")
    try:
        if request.method == "POST":
            ratelimit.check(request, "verify-page")
            upload = request.FILES.get("file")
            pasted = request.POST.get("document", "").strip()
            qr_image = request.FILES.get("qr")
            if upload is not None:
                if upload.size and upload.size > selectors.MAX_FILE_BYTES:
                    error = gettext("The file is too large.")
                else:
                    result = facade.verify_file(upload.read())
            elif pasted:
                result = facade.verify_file(pasted.encode())
            elif qr_image is not None:
                found = _read_qr(qr_image)
                if found is None:
                    error = gettext("No document QR code was found in the image.")
                else:
                    doc_id, doc_hash = found
            else:
                error = gettext(
                    "Upload a document file, paste it, or upload a photo of its QR code."
                )
        elif doc_id:
            ratelimit.check(request, "verify-page")
        if result is None and doc_id and not error:
            try:
                parsed = uuid.UUID(doc_id)
            except ValueError:
                error = gettext("This is not a document id.")
            else:
                result = selectors.with_qr_hash(facade.verify_stored(parsed), parsed, doc_hash)
    except RateLimited as exc:
        error, limited = exc.detail, True
    info = facade.document_get(result.document_id) if result and result.document_id else None
    return render(
        request,
        "customs/verify.html",
        {
            "result": result,
            "rows": _check_rows(result) if result else [],
            "failed": [c.name for c in result.checks if not c.ok] if result else [],
            "error": error,
            "info": info if info and info.status == "issued" else None,
            "type_label": _type_label(result.doc_type) if result else "",
        },
        status=429 if limited else 200,
    )
