"""Production settings for the drills, served over plain http on 127.0.0.1 (drills/two_hosts.sh).

DEBUG is off, files are on object storage and downloads are signed URLs, as in production; only what
plain http on a loopback needs is relaxed (no TLS redirect, cookies without the Secure flag, no HSTS),
and static files are not collected (the drill fetches none).
"""

import os

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "drill-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("ALLOWED_HOSTS", "portal.drill.test,127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_PROXY", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

from portal.settings import *  # noqa: F403

STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
