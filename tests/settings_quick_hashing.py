"""The project's settings with a cheap password hasher, for sites that tests start in
processes of their own (tests/security/test_security_sqlite_concurrency.py).

The real hasher spends 0.3-0.4 CPU seconds on each password it stores or checks, on purpose;
a test editor's password guards nothing. Everything else is blogsite.settings as it is.
"""

from blogsite.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
