"""Organisations, users, memberships and API tokens."""

from __future__ import annotations

from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from mekong.core import clock
from mekong.core.countries import country_choices


class OrganisationType(models.TextChoices):
    """The kinds of organisation that take part in the platform."""

    SME = "sme", _("Small or medium enterprise")
    BUYER = "buyer", _("Buyer")
    PSP = "psp", _("Payment service provider")
    FX_PROVIDER = "fx_provider", _("FX provider")
    CUSTOMS = "customs_authority", _("Customs authority")
    CERTIFICATE_ISSUER = "certificate_issuer", _("Certificate-issuing authority")
    CERT = "cert", _("Computer emergency response team")
    REGULATOR = "regulator", _("Regulator")
    FUND = "fund", _("Fund")
    TRAINING_PROVIDER = "training_provider", _("Training provider")
    MINISTRY = "ministry", _("Ministry")


class Role(models.TextChoices):
    """A member's role inside one organisation, from most to least powerful."""

    OWNER = "owner", _("Owner")
    ADMIN = "admin", _("Administrator")
    MEMBER = "member", _("Member")
    VIEWER = "viewer", _("Viewer")


#: Roles that may manage the organisation (members, tokens).
MANAGING_ROLES = frozenset({Role.OWNER, Role.ADMIN})


class TokenScope(models.TextChoices):
    """What an API token may reach (ADR 0011).

    ``all`` is every API the token's role allows (every token issued before scopes existed);
    ``sandbox`` is only the payments sandbox, so a credential handed to a fintech for testing
    can never move or read live money.
    """

    ALL = "all", _("All APIs")
    SANDBOX = "sandbox", _("Payments sandbox only")


class Organisation(models.Model):
    """A legal body that acts on the platform: an SME, a bank, a customs authority, a CERT.

    Every domain object is owned by an organisation, and object-level authorisation is decided
    by membership in it.
    """

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("type"), max_length=32, choices=OrganisationType.choices)
    country = models.CharField(_("country"), max_length=2, choices=country_choices())
    registration_number = models.CharField(
        _("registration number"), max_length=64, blank=True, default=""
    )
    website = models.URLField(_("website"), blank=True, default="")
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["country", "kind"], name="org_country_kind")]

    def __str__(self) -> str:
        return self.name


class UserManager(BaseUserManager["User"]):
    """Manager for users identified by e-mail address."""

    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Create a user; the e-mail address is normalised and is the login name."""
        if not email:
            raise ValueError("an e-mail address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        """Create an operator with access to the Django admin."""
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    """A person who logs in. Identified by e-mail; belongs to organisations via memberships."""

    username = None  # type: ignore[assignment]
    email = models.EmailField(_("e-mail address"), unique=True)
    display_name = models.CharField(_("display name"), max_length=150, blank=True, default="")
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, default=""
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()  # type: ignore[assignment]

    def __str__(self) -> str:
        return self.display_name or self.email


class Membership(models.Model):
    """A user's role in an organisation."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.role})"


class ApiToken(models.Model):
    """A revocable API credential of one organisation.

    Only a SHA-256 digest of the secret is stored: the secret has 256 bits of entropy, so a
    slow hash would add nothing but latency on every request. The visible ``prefix`` finds the
    row; the digest is compared in constant time. ``scope`` limits which APIs accept the token
    (`TokenScope`; enforced for every endpoint by `mekong.identity.auth.TokenAuth`).
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16, unique=True)
    digest = models.CharField(max_length=64)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.MEMBER)
    scope = models.CharField(
        _("scope"), max_length=16, choices=TokenScope.choices, default=TokenScope.ALL
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        """True when the token is neither revoked nor expired."""
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > clock.now()
