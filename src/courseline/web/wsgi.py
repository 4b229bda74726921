"""WSGI entry point: gunicorn courseline.web.wsgi:application"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "courseline.web.settings")

application = get_wsgi_application()
