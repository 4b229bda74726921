"""Django settings for Courseline, read from the environment only.

See README.md ("Configuration") for every variable. Production is the default: a deployment
that forgets to configure itself refuses to start instead of running with unsafe defaults.
``COURSELINE_ENVIRONMENT=development`` gives safe local defaults (SQLite under ./var/, a
generated secret key kept in ./var/, cookies allowed over plain HTTP on localhost).
"""

from __future__ import annotations

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from courseline.evidence.crypto import EvidenceError, Keyring, MasterKey, generate_key_text
from courseline.web.config import (
    env_bool,
    env_choice,
    env_int,
    env_list,
    env_secret,
    env_str,
)

PACKAGE_DIR = Path(__file__).resolve().parent

ENVIRONMENT = env_choice("COURSELINE_ENVIRONMENT", ("production", "development"), "production")
PRODUCTION = ENVIRONMENT == "production"
DEBUG = env_bool("COURSELINE_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured(
        "COURSELINE_DEBUG must be off when COURSELINE_ENVIRONMENT=production"
    )

DEMO_MODE = env_bool("COURSELINE_DEMO", False)
if PRODUCTION and DEMO_MODE:
    raise ImproperlyConfigured("COURSELINE_DEMO is for development only: demo users skip 2FA")

DATA_DIR = Path(env_str("COURSELINE_DATA_DIR", "var")).resolve()

# --- Secret key -----------------------------------------------------------------------------
_KNOWN_WEAK_KEYS = {"changeme", "secret", "development", "dev", "insecure"}


def _secret_key() -> str:
    key = env_secret("COURSELINE_SECRET_KEY")
    if PRODUCTION:
        if not key:
            raise ImproperlyConfigured(
                "COURSELINE_SECRET_KEY (or COURSELINE_SECRET_KEY_FILE) is required in production"
            )
        if (
            len(key) < 50
            or len(set(key)) < 5
            or key.lower() in _KNOWN_WEAK_KEYS
            or key.startswith("django-insecure")
        ):
            raise ImproperlyConfigured(
                "COURSELINE_SECRET_KEY is too weak: use at least 50 random characters"
            )
        return key
    if key:
        return key
    # Development: generate once and keep it beside the development database.
    path = DATA_DIR / "dev-secret-key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(64)
    path.touch(mode=0o600)
    path.write_text(generated, encoding="utf-8")
    return generated


SECRET_KEY = _secret_key()


# --- Evidence encryption key ----------------------------------------------------------------
def _evidence_keyring() -> Keyring:
    """The evidence key (and older keys during a rotation), from the environment only.

    Production refuses to start without one. Development generates one beside the
    development database, like the secret key."""
    current = env_secret("COURSELINE_EVIDENCE_KEY")
    older = env_secret("COURSELINE_EVIDENCE_OLD_KEYS")
    if not current and PRODUCTION:
        raise ImproperlyConfigured(
            "COURSELINE_EVIDENCE_KEY (or COURSELINE_EVIDENCE_KEY_FILE) is required in "
            "production: base64 of 32 random bytes (`courseline keys generate`)"
        )
    if not current:
        path = DATA_DIR / "dev-evidence-key"
        if not path.exists():
            DATA_DIR.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(generate_key_text(), encoding="ascii")
        current = path.read_text(encoding="ascii").strip()
    try:
        key = MasterKey.from_base64(current)
        previous = [MasterKey.from_base64(part) for part in older.replace(",", " ").split()]
    except EvidenceError as exc:
        raise ImproperlyConfigured(f"Evidence key: {exc}") from None
    return Keyring(key, tuple(k for k in dict.fromkeys(previous) if k != key))


EVIDENCE_KEYRING = _evidence_keyring()
EVIDENCE_STORAGE = env_choice("COURSELINE_EVIDENCE_STORAGE", ("local", "s3"), "local")
EVIDENCE_DIR = Path(env_str("COURSELINE_EVIDENCE_DIR", str(DATA_DIR / "evidence"))).resolve()
EVIDENCE_MAX_BYTES = env_int(
    "COURSELINE_EVIDENCE_MAX_BYTES", 2 * 1024 * 1024 * 1024, minimum=1024 * 1024
)
EVIDENCE_S3 = {
    "bucket_name": env_str("COURSELINE_S3_BUCKET"),
    "endpoint_url": env_str("COURSELINE_S3_ENDPOINT_URL") or None,
    "region_name": env_str("COURSELINE_S3_REGION") or None,
    "access_key": env_str("COURSELINE_S3_ACCESS_KEY_ID") or None,
    "secret_key": env_secret("COURSELINE_S3_SECRET_ACCESS_KEY") or None,
    "location": env_str("COURSELINE_S3_PREFIX", "evidence"),
    "default_acl": None,
    "querystring_auth": True,
    "file_overwrite": False,
}
if EVIDENCE_STORAGE == "s3" and not EVIDENCE_S3["bucket_name"]:
    raise ImproperlyConfigured("COURSELINE_EVIDENCE_STORAGE=s3 needs COURSELINE_S3_BUCKET")

# --- Hosts and proxy ------------------------------------------------------------------------
ALLOWED_HOSTS = env_list(
    "COURSELINE_ALLOWED_HOSTS", [] if PRODUCTION else ["localhost", "127.0.0.1", "[::1]"]
)
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("COURSELINE_ALLOWED_HOSTS is required in production")
CSRF_TRUSTED_ORIGINS = env_list("COURSELINE_CSRF_TRUSTED_ORIGINS", [])
BEHIND_PROXY = env_bool("COURSELINE_BEHIND_PROXY", PRODUCTION)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Applications ---------------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "courseline.web.core",
    "courseline.web.audit",
    "courseline.web.accounts",
    "courseline.web.cases",
    "courseline.web.incidents",
    "courseline.web.risk",
    "courseline.web.help",
    "courseline.web.toolkit",
    "courseline.web.evidence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "courseline.web.core.middleware.RequestSizeLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "courseline.web.core.middleware.HealthCheckMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "courseline.web.accounts.middleware.RequireTwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "courseline.web.core.middleware.SecurityHeadersMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "courseline.web.urls"
WSGI_APPLICATION = "courseline.web.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "courseline.web.core.context_processors.courseline",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_secret("DATABASE_URL")
if PRODUCTION and not DATABASE_URL:
    # A forgotten setting must not quietly put case data in a file under the working directory.
    raise ImproperlyConfigured(
        "DATABASE_URL is required in production (a sqlite:/// URL is accepted if you mean it)"
    )
DATABASE_URL = DATABASE_URL or f"sqlite:///{DATA_DIR / 'courseline.sqlite3'}"
if DATABASE_URL.startswith("sqlite:///"):
    DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
DATABASES["default"]["TEST"] = {"NAME": env_str("COURSELINE_TEST_DATABASE_NAME") or None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, passwords, sessions ----------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "cases:dashboard"
PASSWORD_RESET_TIMEOUT = env_int("COURSELINE_PASSWORD_RESET_MINUTES", 60, minimum=5) * 60

SESSION_IDLE_MINUTES = env_int("COURSELINE_SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the expiry slides: it is an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True  # and no "remember me"
SESSION_COOKIE_NAME = "cl_session"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_NAME = "cl_csrf"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Strict"

# Throttling of sign-in (django-axes): per account and per address, independently.
AXES_FAILURE_LIMIT = env_int("COURSELINE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("COURSELINE_LOGIN_LOCKOUT_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "courseline.web.accounts.views.typed_login_name"
AXES_LOCKOUT_CALLABLE = "courseline.web.accounts.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "courseline.web.core.net.client_ip"
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = False

OTP_TOTP_ISSUER = "Courseline"
OTP_TOTP_THROTTLE_FACTOR = 1

# Flash messages can name people: keep them server-side, not in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Security headers -----------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
# "same-origin", not "no-referrer": with no-referrer, browsers send `Origin: null` on form posts
# and Django's CSRF check (rightly) refuses them. Other sites still never get a referrer.
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SECURE_SSL_REDIRECT = PRODUCTION
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = 63072000 if PRODUCTION else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PRODUCTION
# The preload directive only makes preloading possible; submitting is a separate, manual step.
SECURE_HSTS_PRELOAD = PRODUCTION and env_bool("COURSELINE_HSTS_PRELOAD", True)

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [NONE],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "manifest-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), browsing-topics=()"
)

# Request bodies: this limit is for forms; upload pages set their own per view
# (courseline.web.core.uploads.max_request_bytes). A photo check may be a whole camera roll
# chosen at once; past this many files the page asks for a zip instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("COURSELINE_MAX_REQUEST_BYTES", 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 1000
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE

# --- Courseline ------------------------------------------------------------------------------
EXIT_URL = env_str("COURSELINE_EXIT_URL", "https://www.bbc.co.uk/weather")
WORK_DIR = env_str("COURSELINE_WORK_DIR")
"""Transient working copies (uploads being checked, bundles being sent): best on a tmpfs."""
FILE_UPLOAD_TEMP_DIR = WORK_DIR or None
TOOLKIT_MAX_BYTES = env_int(
    "COURSELINE_TOOLKIT_MAX_BYTES", 2 * 1024 * 1024 * 1024, minimum=1024 * 1024
)
RETENTION_DAYS = env_int("COURSELINE_RETENTION_DAYS", 6 * 365, minimum=1)
SERVICE_NAME = "Courseline"

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "COURSELINE_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env_str("COURSELINE_FROM_EMAIL", "courseline@localhost")
EMAIL_HOST = env_str("COURSELINE_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("COURSELINE_EMAIL_PORT", 587, minimum=1)
EMAIL_HOST_USER = env_str("COURSELINE_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_secret("COURSELINE_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("COURSELINE_EMAIL_TLS", True)

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns until collectstatic
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Translations are data: factsheets/<language>/ and locale/ catalogues; English is the fallback.
# A language is offered only once its pages are translated: listing Welsh or Irish before that
# turned Django's own words (dates, form errors) into that language inside English pages.
LANGUAGES = [("en-gb", "English")]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Logging: operational events only, never case data or sign-in names ----------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # 4xx warnings carry paths; 5xx tracebacks are still logged at ERROR.
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "ERROR"},
        # axes would log the e-mail address typed at a failed sign-in.
        "axes": {"level": "CRITICAL"},
    },
}
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
