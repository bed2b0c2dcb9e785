"""Template context for the site shell: navigation and language switcher links."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import translate_url
from django.utils import translation

from mekong.site.modules import available_modules


def shell(request: HttpRequest) -> dict[str, Any]:
    """Navigation entries and, for each site language, the current page in that language."""
    current = translation.get_language() or settings.LANGUAGE_CODE
    path = request.get_full_path()
    languages = [
        {
            "code": code,
            "name": name,
            "url": translate_url(path, code),
            "current": code == current,
        }
        for code, name in settings.LANGUAGES
    ]
    return {"shell_languages": languages, "shell_modules": available_modules()}
