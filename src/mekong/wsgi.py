"""WSGI entry point (gunicorn ``mekong.wsgi:application``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mekong.settings")
application = get_wsgi_application()
