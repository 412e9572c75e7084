"""Settings come from environment variables only; the defaults run the platform on a bare machine.

Every variable is listed in README.md ("Configuration").
"""

import datetime
import ipaddress
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from proteacher.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))
# The embedded defaults keep the database, uploads and mail here.
VAR_DIR.mkdir(parents=True, exist_ok=True)

DEBUG = env_bool("DEBUG", False)
INSECURE_SECRET_KEY = "insecure-development-key-do-not-use-in-production"  # nosec B105 # no server starts with it unless DEBUG
# With DEBUG off and no key, the web server and the worker refuse to start (proteacher/secret_key.py).
SECRET_KEY = env_str("SECRET_KEY", INSECURE_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Certificates (README, 證書與查驗): the PDF's font, as fontconfig names it (Debian: fonts-noto-cjk),
# and how many lookups one client address may make on the public verification page per window.
CERTIFICATE_FONT_FAMILY = env_str("CERTIFICATE_FONT_FAMILY", "Noto Serif CJK TC")
VERIFY_MAX_LOOKUPS = env_int("VERIFY_MAX_LOOKUPS", 30)
VERIFY_WINDOW_MINUTES = env_int("VERIFY_WINDOW_MINUTES", 10)
# The Ed25519 private key (PEM or JWK) that signs each certificate's digital credential, normally
# read from CREDENTIAL_SIGNING_KEY_FILE. Unset: with DEBUG on one is generated under VAR_DIR and
# kept; with DEBUG off no credential is offered and `check --deploy` warns (certification.credential_keys).
CREDENTIAL_SIGNING_KEY = env_str("CREDENTIAL_SIGNING_KEY")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_htmx",
    # The second factor of staff sign-in (accounts.second_factor): authenticator apps, recovery
    # codes, passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "csp",
    "proteacher.accounts",
    "proteacher.registry",
    "proteacher.certification",
    "proteacher.documents",
    "proteacher.review",
    "proteacher.notifications",
    "proteacher.portal",
    "proteacher.api",
    "proteacher.audit",
]

MIDDLEWARE = [
    # Every request gets an id: on the response, in each log line, on the 500 page (proteacher/request_id.py).
    "proteacher.request_id.request_id",
    # /healthz and /metrics are answered here, before anything reads a session, the host name or
    # the database; every other request is counted for /metrics (portal.probes).
    "proteacher.portal.probes.probes",
    # REMOTE_ADDR becomes the client's own address behind TRUSTED_PROXIES (proteacher/forwarded.py).
    "proteacher.forwarded.ClientAddressMiddleware",
    # Audit entries written anywhere under a request carry its client address.
    "proteacher.audit.middleware.client_address",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Each request starts the session's idle time again, written back at most once a minute.
    "proteacher.accounts.idle.idle_session",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Below CSPMiddleware and the authentication: it reads the user and tunes the policy it writes.
    "proteacher.headers.SecurityHeadersMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Which factor verified the session; then no staff page without one (accounts.middleware).
    "django_otp.middleware.OTPMiddleware",
    "proteacher.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "proteacher.urls"
WSGI_APPLICATION = "proteacher.wsgi.application"

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
                "proteacher.portal.context_processors.site",
                "proteacher.notifications.context_processors.unread_notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a writer instead of failing at once when two requests write together.
    # Writers queue for the lock at BEGIN instead of failing with "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # PostgreSQL's JIT compiles a query once its estimated cost is high; on 統計's grouped queries it
    # spent 0.6 s compiling what ran in 0.1 s. The platform's queries are short: no JIT.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    # A database host that does not answer fails a connection within seconds (and /healthz with it)
    # instead of waiting on the network's own timeouts.
    DATABASES["default"]["OPTIONS"].setdefault("connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 5))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

# 縣市與管理者登入 within any LOGIN_LOCK_MINUTES (accounts.login_throttle, README "Signing in"):
# wrong passwords for one account from one address, from one address for any accounts, and for
# one account from all addresses together.
LOGIN_MAX_FAILURES = env_int("LOGIN_MAX_FAILURES", 5)
LOGIN_ADDRESS_MAX_FAILURES = env_int("LOGIN_ADDRESS_MAX_FAILURES", 30)
LOGIN_ACCOUNT_MAX_FAILURES = env_int("LOGIN_ACCOUNT_MAX_FAILURES", 50)
LOGIN_LOCK_MINUTES = env_int("LOGIN_LOCK_MINUTES", 15)


def passkey_relying_party(site_url: str) -> tuple[str, str]:
    """The passkeys' host (WebAuthn's relying party id) and origin for the platform at `site_url`."""
    site = urlsplit(site_url)
    host = site.hostname or "localhost"
    port = f":{site.port}" if site.port else ""
    try:
        ipaddress.ip_address(host)
        named = False
    except ValueError:
        named = True
    if site.scheme == "https" and named:
        return host, f"https://{host}{port}"
    return "localhost", f"http://localhost{port}"


# The second factor of staff sign-in (accounts.second_factor). The authenticator app shows the
# platform's name beside the account. Passkeys belong to the host name of SITE_URL when it is
# https and a domain name; otherwise (the default http://127.0.0.1:8000) they work only at
# http://localhost on the same port, the one other address browsers allow them.
OTP_TOTP_ISSUER = "教師專業發展支持作業平臺"
OTP_WEBAUTHN_RP_ID, _passkey_origin = passkey_relying_party(SITE_URL)
OTP_WEBAUTHN_RP_NAME = OTP_TOTP_ISSUER
OTP_WEBAUTHN_ALLOWED_ORIGINS = [_passkey_origin]
# A passkey is a second factor here, never a way in without the password.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

# Sessions end after SESSION_IDLE_MINUTES without a request (accounts.idle), and when the browser closes.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 120) * 60
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# Signed-in pages warn this long before the idle session ends, and offer 繼續使用.
SESSION_WARNING_SECONDS = env_int("SESSION_WARNING_MINUTES", 5) * 60
SESSION_COOKIE_HTTPONLY = True

# Behind HTTPS (SITE_URL https, DEBUG off) browsers are told to use nothing else for a year, this host
# and its subdomains (HSTS), a plain-HTTP request is redirected, and cookies travel only over HTTPS.
# A proxy that ends TLS must send X-Forwarded-Proto and BEHIND_HTTPS_PROXY must be on: otherwise every
# request looks plain to Django and the redirect never ends.
_behind_https = SITE_URL.startswith("https://") and not DEBUG
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", _behind_https)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_HTTPS_PROXY", False) else None
# The proxies in front (addresses or networks): a request from one of them is taken to come from the
# last address in X-Forwarded-For that is not one of them (the login throttle, the audit log).
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", _behind_https)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 60 * 60 if _behind_https else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload directive only says the site consents to browsers' HSTS preload lists; nothing is
# listed until the domain's owner submits it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
# A refused form post (an expired page, a token from before signing in elsewhere) gets a page in
# Chinese that says to go back and reload, instead of Django's English one.
CSRF_FAILURE_VIEW = "proteacher.csrf.csrf_failure"

# Content-Security-Policy on every response (django-csp): scripts and styles come from the
# platform's own static files only, never inline. A page that truly needs an inline script gives
# it the request's nonce (docs/architecture.md, "A page's JavaScript"). Uploaded PDFs are served
# with a policy of their own (`sandbox`), which this one leaves in place. Pages that the platform's
# own pages show in an <iframe> (xframe_options_sameorigin) get frame-ancestors 'self'
# (proteacher/headers.py); every other page may be framed by nobody.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Bootstrap draws its check marks, select arrows and menu icon as data: SVG images.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
    }
}
# Browser features no page of the platform uses are off for it and anything it frames; passkeys
# (WebAuthn) are allowed for the platform's own pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "fullscreen": ["self"],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "picture-in-picture": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
    "screen-wake-lock": [],
    "serial": [],
    "usb": [],
    "xr-spatial-tracking": [],
}

LANGUAGE_CODE = "zh-hant"
LANGUAGES = [("zh-hant", "繁體中文")]
TIME_ZONE = "Asia/Taipei"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"

# Files: the local folder by default; any S3-compatible store when S3_BUCKET is set.
_storage_default = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
if env_str("S3_BUCKET"):
    _storage_default = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "access_key": env_str("S3_ACCESS_KEY") or None,
            "secret_key": env_str("S3_SECRET_KEY") or None,
            "region_name": env_str("S3_REGION") or None,
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
STORAGES = {
    "default": _storage_default,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Where people write to the working group (無障礙聲明 names it); empty: the page says to ask the county.
CONTACT_EMAIL = env_str("CONTACT_EMAIL")
# Email: files under var/mail by default (one file per message); SMTP when EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "教師專業發展支持作業平臺 <noreply@proteacher.localhost>")
EMAIL_HOST = env_str("EMAIL_HOST")
# Seconds an SMTP connection waits for the server; well under half NOTIFICATION_MAIL_LEASE_SECONDS.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("EMAIL_PORT", 25)
    EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = VAR_DIR / "mail"

# Notification emails wait in an outbox until the worker (manage.py run_worker) sends them.
# A failed try is retried after 1, 2, 4 … minutes; after the last attempt the mail is marked
# failed (the in-app message stays). A worker claims one mail at a time; a claim older than the
# lease is taken over by another worker (the first one died while sending), so it must be well
# over EMAIL_TIMEOUT: a worker never starts a send on a claim more than half the lease old.
NOTIFICATION_MAIL_MAX_ATTEMPTS = env_int("NOTIFICATION_MAIL_MAX_ATTEMPTS", 10)
NOTIFICATION_MAIL_LEASE_SECONDS = env_int("NOTIFICATION_MAIL_LEASE_SECONDS", 45)
# The hour (Asia/Taipei, 0-23) from which the worker sends each day's 每日彙整: one email per person
# with the optional notices held for it since the last one (notifications.digest).
NOTICE_DIGEST_HOUR = env_int("NOTICE_DIGEST_HOUR", 17)
if not 0 <= NOTICE_DIGEST_HOUR <= 23:
    raise ImproperlyConfigured(f"NOTICE_DIGEST_HOUR must be an hour from 0 to 23, not {NOTICE_DIGEST_HOUR}")
# 資料匯入 (review.imports): the largest file 管理者 may upload, and how long a worker's claim on
# an import lasts before another worker takes it over (the first one died).
IMPORT_MAX_MEGABYTES = env_int("IMPORT_MAX_MEGABYTES", 50)
IMPORT_LEASE_MINUTES = env_int("IMPORT_LEASE_MINUTES", 10)
# Seconds between two passes of the worker (mail, then the periodic jobs that are due).
WORKER_INTERVAL_SECONDS = env_int("WORKER_INTERVAL_SECONDS", 10)
# /healthz (portal.health) fails when the newest worker heartbeat is older than this: three passes
# missed, and a minute for a slow one.
HEALTH_WORKER_MAX_AGE_SECONDS = env_int("HEALTH_WORKER_MAX_AGE_SECONDS", 3 * WORKER_INTERVAL_SECONDS + 60)
# /metrics for Prometheus (portal.metrics): off answers 404. On, it answers only clients whose address
# (after TRUSTED_PROXIES) is in METRICS_ALLOWED_IPS (addresses or networks), and never a request that
# came through a proxy the platform does not trust.
METRICS_ENABLED = env_bool("METRICS_ENABLED", False)
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
for _entry in METRICS_ALLOWED_IPS:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError:
        raise ImproperlyConfigured(f"METRICS_ALLOWED_IPS: {_entry!r} is not an address or a network") from None
# 發證 batches (review.issuing): a worker renews its claim on a batch as it goes; a claim not renewed
# for this long belongs to a worker that died, and another worker takes the batch over.
ISSUING_LEASE_SECONDS = env_int("ISSUING_LEASE_SECONDS", 30)
# One pass of the worker's 發證 job works at most this long on batches, then hands its batch back
# (to itself or another worker at the next pass), so that mail and the other jobs never wait long.
ISSUING_BUDGET_SECONDS = env_int("ISSUING_BUDGET_SECONDS", 60)
# A certificate with an end date (a type's 有效年限) is reminded in 訊息通知 and by email this many
# months before its last valid day, once each (certification.expiry, the worker's
# send_expiry_reminders job): six months leave time for a school meeting and a renewal round, the
# last month is a final call. Largest first; a reminder whose moment passed before the certificate
# was issued, or that a nearer one has overtaken, is not sent.
CERTIFICATE_EXPIRY_REMINDERS = (6, 1)
# Days before a deadline (申請截止 of an unsent case, 修正期限, 委員審查期限) its reminders go out,
# once each, to the one who acts by it (certification.reminders).
DEADLINE_REMINDER_DAYS = (7, 1)

# How long the platform keeps what it no longer needs, from the moment each period counts from
# (README.md, "Retention", gives the reasons). The worker's purge_expired_data job applies it
# (proteacher/portal/retention.py). Audit entries, certificates and what verifying a certificate
# needs are never purged, whatever these say.
RETENTION = {
    # A session, after it expired (Django itself never deletes the row).
    "expired_sessions": datetime.timedelta(days=0),
    # An email verification code (only its hash and the address are kept), after it was sent.
    "email_codes": datetime.timedelta(days=30),
    # What 自動儲存 kept of a form, after its case closed (已發證, 不合格): it can never be saved.
    "closed_case_drafts": datetime.timedelta(days=30),
    # The body of a notification email, after it was sent (or failed for good); the message
    # itself stays in 訊息通知.
    "sent_mail_bodies": datetime.timedelta(days=30),
    # A message in 訊息通知 and its email's row, after it was sent.
    "notifications": datetime.timedelta(days=3 * 365),
    # The forms and files of a case that ended without a certificate (不合格), after it ended.
    "ended_case_documents": datetime.timedelta(days=5 * 365),
}

# SSO roaming login at the national in-service network (OpenID Connect, authorization code + PKCE).
# Without OIDC_ISSUER the development identity page stands in for it, and only while DEBUG is on.
OIDC_ISSUER = env_str("OIDC_ISSUER").rstrip("/")
OIDC_CLIENT_ID = env_str("OIDC_CLIENT_ID")
OIDC_CLIENT_SECRET = env_str("OIDC_CLIENT_SECRET")
OIDC_SCOPE = env_str("OIDC_SCOPE", "openid profile")
# Which claim carries which datum; the network's names may differ from these defaults.
OIDC_CLAIM_NAME = env_str("OIDC_CLAIM_NAME", "name")
OIDC_CLAIM_SCHOOL = env_str("OIDC_CLAIM_SCHOOL", "school")
OIDC_CLAIM_TITLE_CODE = env_str("OIDC_CLAIM_TITLE_CODE", "title_code")
OIDC_CLAIM_COUNTY = env_str("OIDC_CLAIM_COUNTY", "county")
INSERVICE_REGISTER_URL = env_str("INSERVICE_REGISTER_URL", "https://www1.inservice.edu.tw/")

# First-login email verification.
VERIFICATION_CODE_MINUTES = env_int("VERIFICATION_CODE_MINUTES", 10)
VERIFICATION_RESEND_SECONDS = env_int("VERIFICATION_RESEND_SECONDS", 60)
VERIFICATION_MAX_TRIES = env_int("VERIFICATION_MAX_TRIES", 5)

# How many 委員 the assignment pages suggest per case and round.
REVIEWERS_PER_CASE = env_int("REVIEWERS_PER_CASE", 2)
# 統計: a 委員's open review counts as overdue this many days after it was assigned.
REVIEW_DUE_DAYS = env_int("REVIEW_DUE_DAYS", 14)

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Log lines carry the request's id (proteacher/request_id.py): one JSON object a line for the log
# collector (LOG_FORMAT=json, the default with DEBUG off), or plain text to read in a terminal.
LOG_FORMAT = env_str("LOG_FORMAT", "text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "proteacher.request_id.RequestIdFilter"}},
    "formatters": {
        "json": {"()": "proteacher.request_id.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "filters": ["request_id"], "formatter": LOG_FORMAT},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
