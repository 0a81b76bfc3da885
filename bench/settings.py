"""Production settings for the benchmark, served over plain http on 127.0.0.1.

DEBUG is off, as in production; only what plain http on a loopback needs is relaxed (no TLS redirect,
cookies without the Secure flag, no HSTS). The URLconf adds the tiny ceiling view; the portal's own
URLconf stays as it is.
"""

import os
import tempfile
from pathlib import Path

BENCH_TMP = Path(os.environ.get("BENCH_TMP", Path(tempfile.gettempdir()) / "portal-bench"))

os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/portal_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/5")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("BEHIND_PROXY", "0")
os.environ.setdefault("SECURE_HSTS_SECONDS", "0")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
os.environ.setdefault("PRIVATE_MEDIA_ROOT", str(BENCH_TMP / "private"))
os.environ.setdefault("LOG_LEVEL", "WARNING")

from portal.settings import *  # noqa: E402,F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405 - its seed_bench command
ROOT_URLCONF = "bench.urls"
STATIC_ROOT = BENCH_TMP / "static"
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
LANGUAGE_COOKIE_SECURE = False
