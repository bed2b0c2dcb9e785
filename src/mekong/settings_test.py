"""Test overlay: fast hashing, in-process tasks, an isolated var directory."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECRET_KEY", "test-only-secret-key-not-for-production")

from mekong.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
# Served from the finders in tests; no collectstatic directory to look for.
STATIC_ROOT = None
# Uploaded product photos (the demo seed makes some) stay out of the developer's var/media.
MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="mekong-test-media-"))
