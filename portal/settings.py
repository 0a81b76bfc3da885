"""Settings for Portal clienți, read from the environment.

Defaults need nothing installed: SQLite, eager Celery tasks, console email, local
private files. Production sets DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=0,
ALLOWED_HOSTS and the EMAIL_* variables.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "ninja",  # the API's reference page uses its bundled Swagger UI (no CDN)
    # The floor, then each app after those it builds on (seed_demo runs their demo.py in this order).
    "portal",
    "accounts",
    "files",
    "contracts",
    "quotes",
    "projects",
    "billing",
    "support",
    "shipments",
    "dashboard",
    "integrations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "portal.middleware.SecurityHeadersMiddleware",
    "portal.audit.RequestIPMiddleware",
    "integrations.middleware.ApiCallAuditMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "portal.middleware.RomanianByDefaultMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.middleware.SessionSecurityMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "portal.tenancy.CompanyMiddleware",
    "portal.scope.ScopeMiddleware",
]

# The views of these URL namespaces run inside the tenancy scope (portal/scope.py): a query on
# company-owned rows not restricted to the request's company raises. Every namespace of the
# URLconf is either here or in TENANCY_UNSCOPED_NAMESPACES (tests/test_tenancy_scope.py checks).
TENANCY_CLIENT_NAMESPACES = [
    "portal",
    "accounts",
    "quotes",
    "projects",
    "billing",
    "contracts",
    "support",
    "shipments",
    "files",
    "dashboard",
]
# "api": the ERP's API (integrations/), authenticated by an integration key, never by a client's company.
TENANCY_UNSCOPED_NAMESPACES = ["", "admin", "mfa", "api"]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "portal.context_processors.portal",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # SQLite ignores select_for_update: in its default (deferred) transactions two requests that read the
    # same row and then write it conflict, and SQLite refuses one at once ("database is locked", a 500)
    # without waiting. BEGIN IMMEDIATE takes the write lock up front, so writers queue (up to the busy
    # timeout) and each reads what the one before it committed; WAL lets pages be read during a write.
    # tests/test_sqlite_concurrency.py: twenty colleagues deciding one offer at once on `make run`.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE",
        timeout=20,
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    )
    # The invoice list's covering index (INCLUDE) is PostgreSQL's; SQLite builds it as a plain index, which is
    # all the development database needs, so the notice would only clutter every command's output (seed_demo).
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # PostgreSQL's JIT spent 3.2 s compiling the statement's ageing query that runs in 0.2 s without it
    # (docs/PERFORMANCE.md); the portal's queries are short OLTP ones that never repay compilation.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, Celery ------------------------------------------------------------
# The broker uses REDIS_URL's database (0 by default); the cache (allauth rate limits) another one:
# CACHE_URL, or REDIS_URL with the next database number, so flushing one never touches the other.
REDIS_URL = os.environ.get("REDIS_URL", "")


def redis_with_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


def redis_db_of(url: str) -> int:
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


CACHE_URL = os.environ.get("CACHE_URL", "") or (
    redis_with_db(REDIS_URL, redis_db_of(REDIS_URL) + 1) if REDIS_URL else ""
)
if CACHE_URL:
    # Fails open (portal/cache.py): with Redis down, logins work and rate limits are not enforced.
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.FailOpenRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# With a host: kombu warns "No hostname was supplied" when an eager task first takes a producer (seed_demo).
CELERY_BROKER_URL = REDIS_URL or "memory://localhost/"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# A task is acknowledged when it finished; a worker killed mid-task (SIGKILL, OOM) gets it redelivered.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# The longest task (an offer or invoice PDF) takes seconds; past these limits it is stopped and retried.
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_TIME_LIMIT = 300
# Redis redelivers a message not acknowledged within the visibility timeout: it must exceed the
# longest task (300 s) and the longest retry countdown (600 s), or a slow task runs twice.
# max_retries 0: publishing to a stopped Redis fails in under a second (the task goes to the outbox,
# portal.tasks_util) instead of holding the user's request for seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 0}
# Every task retries with exponential backoff, at most 10 minutes apart (portal/celery.py PortalTask).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_TIMEZONE = "Europe/Bucharest"
CELERY_BEAT_SCHEDULE = {
    "contracts-expiry-notices": {"task": "contracts.tasks.send_expiry_notices", "schedule": crontab(hour=7, minute=0)},
    "notification-digests": {"task": "portal.tasks.send_daily_digests", "schedule": crontab(hour=8, minute=0)},
    "quotes-expire-offers": {"task": "quotes.tasks.expire_offers", "schedule": crontab(hour=0, minute=10)},
    "billing-invoice-reminders": {
        "task": "billing.tasks.send_invoice_reminders",
        "schedule": crontab(hour=8, minute=0),
    },
    # The outbox of tasks the broker refused while Redis was down.
    "retry-pending-tasks": {"task": "portal.tasks.retry_pending_tasks", "schedule": crontab(minute="*/5")},
    # Webhook deliveries whose next try is due (the schedule is kept in their rows).
    "integrations-retry-webhooks": {"task": "integrations.tasks.retry_webhooks", "schedule": crontab(minute="*")},
}

# --- Auth, allauth ------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard:home"

ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Portal clienți] "
# The account's owner hears of every change to its password, addresses and two-factor authentication.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if not DEBUG else "http"
ACCOUNT_RATE_LIMITS = {
    # allauth's defaults, spelled out so ops see them; they live in the cache (Redis in production).
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    # Adding an address emails a confirmation to it; confirm_email counts per address, so this is
    # what stops one account from mailing any number of strangers (allauth's default is 10/m/user).
    "manage_email": "5/m/user,20/h/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
# Changing an email address, the password or two-factor asks for the password again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
MFA_TOTP_ISSUER = "Portal clienți"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Email --------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Portal clienți <portal@furnizor.ro>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
STAFF_NOTIFICATION_EMAILS = env_list("STAFF_NOTIFICATION_EMAILS", "vanzari@furnizor.ro")

# --- Language and formats -----------------------------------------------------
LANGUAGE_CODE = "ro"
LANGUAGES = [("ro", _("Română")), ("en", _("English"))]
# locale/: our catalogues (Romanian msgids), maintained with makemessages.
# portal/overrides_locale/: corrections to allauth's and Django's own Romanian (diacritics, formal
# "dumneavoastră"); kept apart so makemessages never prunes them.
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "portal" / "overrides_locale"]
TIME_ZONE = "Europe/Bucharest"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["portal.formats"]
LANGUAGE_COOKIE_NAME = "portal_language"
LANGUAGE_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and private files -------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private"))
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage",
    },
}


def s3_storage(
    *,
    bucket: str,
    endpoint_url: str = "",
    region: str = "",
    access_key: str = "",
    secret_key: str = "",
    addressing_style: str = "",
    encrypt: bool = True,
    url_seconds: int = 60,
) -> dict:
    """The STORAGES entry of private files on an S3-compatible server (the tests build theirs here too).

    Objects stay private; keys are the StoredFile names (``companies/<company public_id>/<file public_id>.ext``,
    files/models.py). A signed URL is made only by files/responses.py, after the view checked access.
    """
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": bucket,
            "endpoint_url": endpoint_url or None,
            "region_name": region or None,
            "access_key": access_key,
            "secret_key": secret_key,
            # "path" for MinIO, Ceph, moto and most servers that are not AWS; AWS takes "virtual".
            "addressing_style": addressing_style or None,
            "signature_version": "s3v4",
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": url_seconds,
            "file_overwrite": False,
            # Encryption at rest, asked for on every write; S3_SSE=0 for a server that refuses the header.
            "object_parameters": {"ServerSideEncryption": "AES256"} if encrypt else {},
        },
    }


S3_BUCKET = os.environ.get("S3_BUCKET", "")
S3_ENDPOINT_URL = os.environ.get("S3_ENDPOINT_URL", "")
S3_ADDRESSING_STYLE = os.environ.get("S3_ADDRESSING_STYLE", "")
# How a download leaves once the view has checked access and written the audit entry (files/responses.py):
# "stream" (the worker sends the bytes), "presigned" (a redirect to a signed object-storage URL valid
# DOWNLOADS_URL_SECONDS), "x-accel" (nginx sends the file from local disk, told so by a header naming
# DOWNLOADS_ACCEL_PREFIX, an `internal` location; README "Downloads").
DOWNLOADS = os.environ.get("DOWNLOADS", "stream")
DOWNLOADS_URL_SECONDS = int(os.environ.get("DOWNLOADS_URL_SECONDS", "60"))
DOWNLOADS_ACCEL_PREFIX = "/" + os.environ.get("DOWNLOADS_ACCEL_PREFIX", "/_private/").strip("/") + "/"
if DOWNLOADS not in {"stream", "presigned", "x-accel"}:
    raise ImproperlyConfigured("DOWNLOADS must be stream, presigned or x-accel.")
if DOWNLOADS == "presigned" and not S3_BUCKET:
    raise ImproperlyConfigured("DOWNLOADS=presigned needs object storage (S3_BUCKET).")
if DOWNLOADS == "x-accel" and S3_BUCKET:
    raise ImproperlyConfigured("DOWNLOADS=x-accel serves local files: unset S3_BUCKET or use presigned.")
if S3_BUCKET:
    # Object storage for private files: scaled-out hosts keep nothing on local disk.
    STORAGES["default"] = s3_storage(
        bucket=S3_BUCKET,
        endpoint_url=S3_ENDPOINT_URL,
        region=os.environ.get("S3_REGION", ""),
        access_key=os.environ.get("S3_ACCESS_KEY_ID", ""),
        secret_key=os.environ.get("S3_SECRET_ACCESS_KEY", ""),
        addressing_style=S3_ADDRESSING_STYLE,
        encrypt=env_bool("S3_SSE", True),
        url_seconds=DOWNLOADS_URL_SECONDS,
    )


def s3_origins(bucket: str, endpoint_url: str, addressing_style: str, region: str) -> list[str]:
    """Where a browser fetches a signed URL from: the previews' <iframe>/<img> must be allowed to."""
    if os.environ.get("S3_PUBLIC_ORIGIN"):
        return env_list("S3_PUBLIC_ORIGIN")
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        host = parts.netloc if addressing_style != "virtual" else f"{bucket}.{parts.netloc}"
        return [f"{parts.scheme}://{host}"]
    return [f"https://{bucket}.s3.amazonaws.com", f"https://{bucket}.s3.{region or 'us-east-1'}.amazonaws.com"]


FILES_MAX_UPLOAD_MB = int(os.environ.get("FILES_MAX_UPLOAD_MB", "20"))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Security -----------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 12)))
SESSION_IDLE_TIMEOUT = int(os.environ.get("SESSION_IDLE_TIMEOUT", str(60 * 60)))
SESSION_ABSOLUTE_TIMEOUT = int(os.environ.get("SESSION_ABSOLUTE_TIMEOUT", str(SESSION_COOKIE_AGE)))
ADMIN_REQUIRE_MFA = env_bool("ADMIN_REQUIRE_MFA", not DEBUG)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_HTTPONLY = True
# A refused form (usually one left open too long) gets a page in the portal's layout and language.
CSRF_FAILURE_VIEW = "portal.csrf.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
BEHIND_PROXY = env_bool("BEHIND_PROXY", not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
# The proxies in front of the app that append to X-Forwarded-For (nginx alone: 1; a load balancer in
# front of nginx: 2). allauth's rate limits and the audit log (portal.audit.client_ip) take the client's
# address from the entry the outermost of them appended, counted from the right; entries further left
# are the client's own words. Not behind a proxy: 0, the header is ignored and REMOTE_ADDR is the client.
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "1")) if BEHIND_PROXY else 0
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        # plotly.js writes inline styles; scripts stay strict.
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    },
}
if DOWNLOADS == "presigned":
    # A preview (<iframe>, <img>) follows the view's redirect to the signed URL on the storage's origin.
    _storage_origins = s3_origins(S3_BUCKET, S3_ENDPOINT_URL, S3_ADDRESSING_STYLE, os.environ.get("S3_REGION", ""))
    for _directive in ("img-src", "frame-src"):
        CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += _storage_origins

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # WeasyPrint narrates every layout step at INFO; keep its warnings (refused fetches).
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
        # Eager tasks (development) would log every task run into the runserver output.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

# --- Portal -------------------------------------------------------------------
INVITATION_VALID_DAYS = int(os.environ.get("INVITATION_VALID_DAYS", "7"))
CONTRACT_EXPIRING_SOON_DAYS = int(os.environ.get("CONTRACT_EXPIRING_SOON_DAYS", "60"))
# Days before a contract's end when its client admins and staff are told, once per threshold.
CONTRACT_EXPIRY_NOTICE_DAYS = sorted({int(d) for d in env_list("CONTRACT_EXPIRY_NOTICE_DAYS", "60,30,7")}, reverse=True)
# The supplier's own fiscal data, printed on invoices, offers and statements.
SUPPLIER = {
    "name": os.environ.get("SUPPLIER_NAME", "Furnizor ERP SRL"),
    "email": os.environ.get("SUPPLIER_EMAIL", "contact@furnizor.ro"),
    "phone": os.environ.get("SUPPLIER_PHONE", "+40 21 555 0100"),
    "cui": os.environ.get("SUPPLIER_CUI", "RO46093156"),
    "reg_com": os.environ.get("SUPPLIER_REG_COM", "J40/1234/2010"),
    # The address in three parts: e-Factura codes the county (ISO 3166-2:RO) and Bucharest's sector.
    "street": os.environ.get("SUPPLIER_STREET", "Bd. Iuliu Maniu nr. 7"),
    "city": os.environ.get("SUPPLIER_CITY", "București"),
    "county": os.environ.get("SUPPLIER_COUNTY", "Sector 6"),
    "iban": os.environ.get("SUPPLIER_IBAN", "RO49AAAA1B31007593840000"),
    "bank": os.environ.get("SUPPLIER_BANK", "Banca Transilvania"),
    "bic": os.environ.get("SUPPLIER_BIC", "BTRLRO22"),
    "capital": os.environ.get("SUPPLIER_CAPITAL", ""),
    # "TVA la încasare" (art. 282 Codul fiscal): VAT due when paid, a mention every invoice must carry.
    "vat_on_receipt": env_bool("SUPPLIER_VAT_ON_RECEIPT", False),
}
# Days relative to an invoice's due date when billing users are reminded (-3 = three days before).
BILLING_REMINDER_STAGES = [int(d) for d in env_list("BILLING_REMINDER_STAGES", "-3,1,15")]
BILLING_REMINDER_GRACE_DAYS = int(os.environ.get("BILLING_REMINDER_GRACE_DAYS", "7"))
BILLING_DUE_SOON_DAYS = int(os.environ.get("BILLING_DUE_SOON_DAYS", "7"))
SUPPORT_REOPEN_DAYS = int(os.environ.get("SUPPORT_REOPEN_DAYS", "14"))
SUPPORT_NOTIFICATION_EMAILS = env_list("SUPPORT_NOTIFICATION_EMAILS")  # empty → STAFF_NOTIFICATION_EMAILS

# --- Operations: health checks, error tracking, log format, retention ---------
# /health/ (portal/health.py): load balancers probe it over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
# /health/worker/ waits this long for a Celery worker to answer its ping.
HEALTH_WORKER_TIMEOUT = float(os.environ.get("HEALTH_WORKER_TIMEOUT", "2"))

# Errors to Sentry only when SENTRY_DSN is set; no personal data leaves (portal/sentry.py).
SENTRY_DSN = os.environ.get("SENTRY_DSN", "")
if SENTRY_DSN:
    from portal import sentry

    sentry.init(
        dsn=SENTRY_DSN,
        environment=os.environ.get("SENTRY_ENVIRONMENT", "production" if not DEBUG else "development"),
        traces_sample_rate=float(os.environ.get("SENTRY_TRACES_SAMPLE_RATE", "0")),
        release=os.environ.get("SENTRY_RELEASE", ""),
    )

# LOG_FORMAT=json: one JSON object per line (portal/logs.py); the default stays key=value text.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT == "json":
    LOGGING["formatters"] = {"json": {"()": "portal.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
    # The worker keeps the root logger configured here instead of installing its own text format.
    CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Personal data kept no longer than needed (portal/retention.py, `manage.py apply_retention`, daily).
RETENTION_AUDIT_IP_MONTHS = int(os.environ.get("RETENTION_AUDIT_IP_MONTHS", "12"))
RETENTION_SENT_EMAIL_MONTHS = int(os.environ.get("RETENTION_SENT_EMAIL_MONTHS", "6"))
RETENTION_READ_NOTIFICATION_MONTHS = int(os.environ.get("RETENTION_READ_NOTIFICATION_MONTHS", "6"))
RETENTION_EXPORT_DAYS = int(os.environ.get("RETENTION_EXPORT_DAYS", "7"))
CELERY_BEAT_SCHEDULE["portal-apply-retention"] = {
    "task": "portal.tasks.apply_retention",
    "schedule": crontab(hour=3, minute=30),
}
