import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogsite.settings")
django_application = get_wsgi_application()

# Imported once Django is set up (it reads the settings and the cache).
from sitewide.localpages import LocalPageCache  # noqa: E402

# Hot pages from the process's memory, before Django's handler (sitewide/localpages.py).
application = LocalPageCache(django_application)
