"""Issuing authorities and their keys (the trust list), traders and brokers, documents, revocations.

A document is a draft (editable, unsigned) until it is issued: then its data, salts, hash,
signature and log index never change again; revocation adds a `Revocation` row and sets
``revoked_at`` once. Private keys are stored only encrypted (see `keys.py`).
"""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.customs.documents.envelope import DOCUMENT_TYPES

DOC_TYPE_CHOICES = [
    ("atiga_form_d", _("ATIGA certificate of origin (Form D)")),
    ("commercial_invoice", _("Commercial invoice")),
    ("packing_list", _("Packing list")),
    ("customs_declaration", _("Export declaration (ACDD)")),
]
assert tuple(c for c, _label in DOC_TYPE_CHOICES) == DOCUMENT_TYPES


class IssuingAuthority(models.Model):
    """A certificate-issuing authority of a member country (e.g. Thailand's Department of
    Foreign Trade for Form D). Operated by an identity organisation whose managers revoke."""

    country = models.CharField(_("country"), max_length=2)
    name = models.CharField(_("name"), max_length=120)
    organisation_id = models.BigIntegerField(_("operating organisation"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("issuing authority")
        verbose_name_plural = _("issuing authorities")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="customs_authority_unique")
        ]
        ordering = ["country", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country})"


class AuthorityKey(models.Model):
    """One Ed25519 key of an authority: public half in the trust list, private half encrypted.

    A key signs only within [valid_from, valid_until) and before revoked_at; rotation ends the
    old key's validity at the new key's start, so earlier documents keep verifying.
    """

    authority = models.ForeignKey(
        IssuingAuthority, on_delete=models.PROTECT, related_name="keys", verbose_name=_("authority")
    )
    key_id = models.CharField(_("key id"), max_length=16, unique=True)
    public_key = models.CharField(_("public key"), max_length=64)
    private_key_enc = models.TextField(_("encrypted private key"), editable=False)
    valid_from = models.DateTimeField(_("valid from"))
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("authority key")
        verbose_name_plural = _("authority keys")
        ordering = ["authority_id", "valid_from"]

    def __str__(self) -> str:
        return self.key_id


class Trader(models.Model):
    """A registered trader or customs broker: an identity organisation with its customs ids."""

    class Role(models.TextChoices):
        EXPORTER = "exporter", _("Exporter")
        IMPORTER = "importer", _("Importer")
        BROKER = "broker", _("Customs broker")

    organisation_id = models.BigIntegerField(_("organisation"))
    role = models.CharField(_("role"), max_length=10, choices=Role.choices)
    country = models.CharField(_("country"), max_length=2)
    registration_number = models.CharField(_("customs registration number"), max_length=40)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("trader")
        verbose_name_plural = _("traders")
        constraints = [
            models.UniqueConstraint(fields=["organisation_id", "role"], name="customs_trader_role")
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} ({self.role})"


class Document(models.Model):
    """A trade document: a draft of its owner, or an issued, signed and anchored document."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    doc_type = models.CharField(_("type"), max_length=24, choices=DOC_TYPE_CHOICES)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default="draft")
    owner_organisation_id = models.BigIntegerField(_("owner organisation"), db_index=True)
    subject_organisation_id = models.BigIntegerField(_("subject organisation"), null=True)
    source_ref = models.CharField(_("source reference"), max_length=80, blank=True, default="")
    data = models.JSONField(_("data"), default=dict)
    authority = models.ForeignKey(
        IssuingAuthority, on_delete=models.PROTECT, null=True, related_name="documents"
    )
    key = models.ForeignKey(AuthorityKey, on_delete=models.PROTECT, null=True, related_name="+")
    salts = models.JSONField(_("salts"), default=dict)
    canonical = models.TextField(_("signed part (RFC 8785 JSON)"), blank=True, default="")
    document_hash = models.CharField(_("document hash"), max_length=64, blank=True, default="")
    signature = models.CharField(_("signature"), max_length=100, blank=True, default="")
    log_index = models.BigIntegerField(_("log entry"), null=True)
    receipt = models.JSONField(_("receipt at issue"), null=True)
    issued_at = models.DateTimeField(_("issued"), null=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True)
    created_at = models.DateTimeField(_("created"), default=clock.now)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["owner_organisation_id", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.doc_type} {self.id}"


class Revocation(models.Model):
    """The issuer's signed revocation statement of a document, anchored in the log itself."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="revocation")
    statement = models.JSONField(_("signed statement"))
    reason = models.CharField(_("reason"), max_length=300)
    revoked_at = models.DateTimeField(_("revoked"))
    revoked_by_user_id = models.BigIntegerField(_("revoked by"), null=True)
    log_index = models.BigIntegerField(_("log entry"))
    receipt = models.JSONField(_("receipt"))

    class Meta:
        verbose_name = _("revocation")
        verbose_name_plural = _("revocations")
        ordering = ["revoked_at"]

    def __str__(self) -> str:
        return f"revocation of {self.document_id}"


class TrustListAnchor(models.Model):
    """One published state of the trust list, anchored in the verifiable log.

    ``sha256`` is `envelope.trust_list_digest` of the list; a reader holding the log key can
    check that the list it was handed is exactly one the platform published (and when), so a
    list with a key slipped in or a revocation dropped fails verification.
    """

    sha256 = models.CharField(max_length=64, unique=True)
    log_index = models.BigIntegerField(_("log entry"))
    receipt = models.JSONField(_("receipt"))
    anchored_at = models.DateTimeField(_("anchored"), default=clock.now)

    class Meta:
        verbose_name = _("trust list anchor")
        verbose_name_plural = _("trust list anchors")
        ordering = ["anchored_at", "pk"]

    def __str__(self) -> str:
        return f"trust list {self.sha256[:12]} at log entry {self.log_index}"
