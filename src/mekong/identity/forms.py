"""Forms of the identity pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """Log in with e-mail address and password."""

    username = forms.EmailField(
        label=_("E-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )


class TokenForm(forms.Form):
    """Issue an API token."""

    name = forms.CharField(label=_("Token name"), max_length=100)
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("member", _("Member")), ("viewer", _("Viewer")), ("admin", _("Administrator"))],
        initial="member",
    )
