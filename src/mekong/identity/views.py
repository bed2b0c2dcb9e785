"""Identity pages: log in/out, password change, my organisations, an organisation's page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mekong.core.errors import DomainError
from mekong.identity import selectors, services
from mekong.identity.contracts import Actor
from mekong.identity.forms import LoginForm, TokenForm
from mekong.identity.models import User


class LoginView(auth_views.LoginView):
    """The login page (e-mail and password)."""

    template_name = "identity/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password."""

    template_name = "identity/password_change.html"
    success_url = reverse_lazy("identity:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    """Confirmation after a password change."""

    template_name = "identity/password_change_done.html"


LogoutView = auth_views.LogoutView


def _actor_for(request: HttpRequest, organisation_id: int | None = None) -> Actor:
    user = request.user
    assert isinstance(user, User)
    return selectors.actor_for_user(user, organisation_id=organisation_id)


@login_required
def organisations(request: HttpRequest) -> HttpResponse:
    """The organisations the logged-in user belongs to."""
    actor = _actor_for(request)
    memberships = request.user.memberships.select_related("organisation").order_by(  # type: ignore[union-attr]
        "organisation__name"
    )
    return render(
        request, "identity/organisations.html", {"memberships": memberships, "actor": actor}
    )


@login_required
def organisation_detail(request: HttpRequest, slug: str) -> HttpResponse:
    """An organisation's page: facts, members and (for managers) its API tokens."""
    base_actor = _actor_for(request)
    org = selectors.organisation_get_by_slug_for(actor=base_actor, slug=slug)
    actor = _actor_for(request, org.pk)
    members = selectors.members_of(actor=actor, organisation_id=org.pk)
    tokens = (
        list(selectors.tokens_for(actor=actor, organisation_id=org.pk)) if actor.can_manage else []
    )
    context = {
        "org": org,
        "actor": actor,
        "members": members,
        "tokens": tokens,
        "token_form": TokenForm(),
        "new_token": request.session.pop("new_token", None),
    }
    return render(request, "identity/organisation.html", context)


@login_required
@require_POST
def token_create(request: HttpRequest, slug: str) -> HttpResponse:
    """Issue a token from the organisation page; the secret is shown once."""
    org = selectors.organisation_get_by_slug_for(actor=_actor_for(request), slug=slug)
    actor = _actor_for(request, org.pk)
    form = TokenForm(request.POST)
    target = reverse("identity:organisation", args=[org.slug])
    if not form.is_valid():
        messages.error(request, _("Give the token a name and a role."))
        return HttpResponseRedirect(target)
    try:
        _token, secret = services.token_issue(
            actor=actor,
            organisation_id=org.pk,
            name=form.cleaned_data["name"],
            role=form.cleaned_data["role"],
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return HttpResponseRedirect(target)
    # Kept in the session only until the next page view shows it once.
    request.session["new_token"] = secret
    return HttpResponseRedirect(target)


@login_required
@require_POST
def token_revoke(request: HttpRequest, slug: str, token_id: int) -> HttpResponse:
    """Revoke a token from the organisation page."""
    org = selectors.organisation_get_by_slug_for(actor=_actor_for(request), slug=slug)
    actor = _actor_for(request, org.pk)
    try:
        services.token_revoke(actor=actor, organisation_id=org.pk, token_id=token_id)
        messages.success(request, _("The token was revoked."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return HttpResponseRedirect(reverse("identity:organisation", args=[org.slug]))
