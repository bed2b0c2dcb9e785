"""A URLconf serving only the marketplace router the way ``mekong.api`` serves every router
(same authentication, problem+json for domain and validation errors), for the API tests until
the router is mounted at ``/api/v1/marketplace`` in ``mekong/api.py``."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from ninja import NinjaAPI
from ninja.errors import ValidationError

from mekong.core.errors import DomainError
from mekong.core.problem import domain_error_response, problem_response
from mekong.identity.auth import API_AUTH
from mekong.marketplace.api import router

api = NinjaAPI(urls_namespace="marketplace-test-api", auth=API_AUTH, docs_url=None)


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return domain_error_response(request, exc)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return problem_response(
        request, status=422, code="validation_error", title="invalid", detail="invalid"
    )


api.add_router("/marketplace", router)
urlpatterns = [path("api/v1/", api.urls)]
