"""The one settings base.

With no environment set it is the embedded default: SQLite, a Celery broker kept in files under
``var/`` and the database's own full-text search, so one machine runs everything. Production
differs only through environment variables (see README, "Configuration"); ``production.py`` adds
nothing but the checks that refuse an unsafe set of them.
"""

import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import csp.constants as csp
import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(environ.Env().str("VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()
env.smart_cast = False

# A well-known value: production.py refuses to start with it.
INSECURE_SECRET_KEY = "embedded-default-insecure-secret-key-change-me"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=INSECURE_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=False)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "viewflow",
    "viewflow.workflow",
    "roles",
    "audit",
    "documents",
    "workflows",
    "search",
    "notifications",
    "deadlines",
    # The processes built on the engine (each registers its flows in its AppConfig.ready).
    "access_requests",
    "complaints",
    "consultations",
    "coordination",
    # Heartbeats of the worker and beat, and the health page (/healthz).
    "config",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a signed-in user unless marked otherwise (login, language, the API,
    # which answers 401 itself).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "roles.middleware.UserLanguageMiddleware",
    "config.api.BlankParametersRefused",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "viewflow.middleware.SiteMiddleware",
    "viewflow.middleware.HotwireTurboMiddleware",
    # The domain's refusals a page lets through (config.errors) as Django's 404, 409 or 400.
    "config.error_pages.DomainErrorsAsPages",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "config" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode (readers never block the writer), a busy timeout, and
# IMMEDIATE write transactions, so the web process and the background worker queue for the write
# lock instead of failing with "database is locked" when a deferred transaction tries to upgrade.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 30,
    "init_command": (
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
        "PRAGMA busy_timeout=30000;"
    ),
}
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {**SQLITE_OPTIONS, **DATABASES["default"].get("OPTIONS", {})}
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    # Server-side parameters, so that the paths written for it (config.prepared.planned_once)
    # can have psycopg prepare their statements. A transaction-mode pooler without
    # prepared-statement support needs DATABASE_PREPARED_STATEMENTS=false.
    if env.bool("DATABASE_PREPARED_STATEMENTS", default=True):
        DATABASES["default"].setdefault("OPTIONS", {})["server_side_binding"] = True
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "roles.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"
# guardian: an anonymous user never holds object permissions here.
ANONYMOUS_USER_NAME = None

# --- Languages and time ------------------------------------------------------------------------
LANGUAGE_CODE = "sq"
LANGUAGES = [
    ("sq", "Shqip"),
    ("sr-latn", "Srpski (latinica)"),
    ("sr", "Српски (ћирилица)"),
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "config" / "locale"]
LANGUAGE_COOKIE_NAME = "language"
TIME_ZONE = "Europe/Belgrade"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded files live outside every served directory; they leave only through permission-checked
# views. Production may point STORAGES at any django-storages backend.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    # Any django-storages backend in production, e.g. STORAGE_BACKEND=storages.backends.s3.S3Storage
    # with STORAGE_OPTIONS='{"bucket_name": "...", "region_name": "..."}'.
    "default": {
        "BACKEND": env.str(
            "STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("STORAGE_OPTIONS", default={}),
    },
    # Compressed, not hashed: viewflow's stylesheets name font files its package does not ship,
    # which a manifest storage refuses.
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# --- E-mail: console in the embedded default, EMAIL_URL (or the usual EMAIL_*) in production ---
if "EMAIL_URL" in env:
    vars().update(env.email("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str(
        "EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
    )
    EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
    EMAIL_PORT = env.int("EMAIL_PORT", default=25)
    EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
    EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
    EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="koordinimi@localhost")
# Where the site is served: e-mails carry absolute links built on it (no request to ask).
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Mail is sent by the worker; a mail server that does not answer must not hold it forever.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)

# --- Security headers (cookies and HSTS are tightened in production.py) ------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "config.api.csrf_failure"

# --- Celery ------------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport, so `make run` needs no broker service; the
# worker is the same Celery worker production runs on Redis or RabbitMQ.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")


def filesystem_broker_options(folder: Path) -> dict[str, object]:
    (folder / "queue").mkdir(parents=True, exist_ok=True)
    return {
        "data_folder_in": str(folder / "queue"),
        "data_folder_out": str(folder / "queue"),
        "control_folder": str(folder / "control"),
        # Taken, not yet acknowledged; back to the queue when their worker dies (config/broker.py).
        "in_progress_folder": str(folder / "in-progress"),
    }


CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {}
if CELERY_BROKER_URL.startswith("filesystem"):
    # Kombu's filesystem transport, writing each message atomically (config/broker.py).
    CELERY_BROKER_TRANSPORT = "config.broker:Transport"
    CELERY_BROKER_TRANSPORT_OPTIONS = filesystem_broker_options(VAR_DIR / "broker")
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged only when it finished, so a worker killed mid-task leaves it with the
# broker, which delivers it again (Redis: after its visibility timeout; the embedded broker: as
# soon as another worker looks, within its requeue interval).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# --- Background work that survives its broker and its worker (README, "Operations") ---
# A broker that is away (Redis restarting, the embedded folder unusable) is waited for, for as
# long as it takes, never a reason for the worker to stop.
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
CELERY_BROKER_CHANNEL_ERROR_RETRY = True
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Beat takes a lock first (one scheduler however many are started) and records its heartbeat.
CELERY_BEAT_SCHEDULER = "config.beat:LockedScheduler"
# How old a heartbeat may be before /healthz calls the worker or beat stopped.
HEARTBEAT_INTERVAL = 30.0
HEARTBEAT_STALE_AFTER = 150.0
# --- end of background work ---
CELERY_BEAT_SCHEDULE = {
    # The worker's heartbeat (/healthz): it proves beat, broker and worker all work.
    "worker-heartbeat": {
        "task": "config.tasks.worker_heartbeat",
        "schedule": HEARTBEAT_INTERVAL,
        "options": {"expires": HEARTBEAT_INTERVAL},
    },
    "verify-audit-chain": {"task": "audit.tasks.verify_audit_chain", "schedule": 6 * 3600.0},
    "sync-memberships": {"task": "roles.tasks.sync_all_memberships", "schedule": 900.0},
    # Reminders, overdue alerts and escalations reach people at most this late.
    "sweep-deadlines": {"task": "deadlines.tasks.sweep_deadlines", "schedule": 120.0},
    # Embargoed press statements are released by a timer: at most this late.
    "fire-workflow-timers": {"task": "workflows.tasks.fire_workflow_timers", "schedule": 30.0},
    # Runs on the last days of each month; the task starts the reports on the very last one.
    "start-monthly-reports": {
        "task": "workflows.tasks.start_monthly_reports",
        "schedule": crontab(day_of_month="28-31", hour=8, minute=0),
    },
    # Text extractions whose message was lost (a broker down at the upload): an hour on.
    "requeue-stale-extractions": {
        "task": "documents.tasks.requeue_stale_extractions",
        "schedule": 900.0,
    },
    # Stored files that crashed uploads left without a version row (an hour old at least).
    "delete-orphan-files": {"task": "documents.tasks.delete_orphan_files", "schedule": 3600.0},
    # The safety net of the search outbox: whatever a missed or failed drain left behind.
    "drain-search-outbox": {"task": "search.tasks.drain_search_outbox", "schedule": 60.0},
    # Local time (CELERY_TIMEZONE): the digest of the last 24 hours before the working day.
    "notification-digest": {
        "task": "notifications.tasks.send_daily_digest",
        "schedule": crontab(hour=7, minute=0),
    },
}


# --- Audit -------------------------------------------------------------------------------------
def embedded_secret(path: Path) -> str:
    """A random secret kept in a file only its owner may read, made on first use. Written whole
    under another name and then linked into place, so processes starting at once agree on it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_hex(32))
        try:
            os.link(draft, path)
        except FileExistsError:
            pass  # another process was first: its secret is the one
        finally:
            draft.unlink()
    return path.read_text().strip()


# The audit chain's hashes are HMACs under this key, kept outside the database: whoever can write
# the database cannot recompute the chain. Production must set it (production.py); the embedded
# default keeps one in a file under VAR_DIR. Changing it breaks every existing entry.
AUDIT_HMAC_KEY = env.str("AUDIT_HMAC_KEY", default="") or embedded_secret(
    VAR_DIR / "audit-hmac.key"
)
# An append-only file, outside the database, to which each verification of the chain appends
# its head; `verify_audit` then checks the chain still reaches every anchor unchanged. Empty: none.
AUDIT_ANCHOR_PATH = env.str("AUDIT_ANCHOR_PATH", default=str(VAR_DIR / "audit-anchors.log"))

# --- Search ------------------------------------------------------------------------------------
SEARCH_BACKEND = env.str("SEARCH_BACKEND", default="database")
ELASTICSEARCH_URL = env.str("ELASTICSEARCH_URL", default="")
# How long after a change its drain runs: changes within it share one drain (search.outbox).
SEARCH_DRAIN_DELAY = env.float("SEARCH_DRAIN_DELAY", default=1.0)

# --- API ---------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "roles.authentication.TokenAuthentication",
        "roles.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "config.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "config.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_THROTTLE_RATES": {"token": env.str("TOKEN_THROTTLE_RATE", default="20/min")},
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Kosovo institutions coordination API",
    "DESCRIPTION": "Workflows, documents, deadlines, search and audit between institutions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.schema.add_error_responses",
        "config.schema.state_enforced_rules",
        # After the one above: it names the hook by its path, so that config imports no app.
        "roles.schema.institution_codes",
    ],
    "ENUM_NAME_OVERRIDES": {
        "DocumentKindEnum": "documents.models.Kind",
        "InstitutionKindEnum": "roles.models.Institution.Kind",
        "DocumentLanguageEnum": "documents.models.Language",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
}

# --- Demo organisation (`manage.py seed_demo`); production.py forbids it ----------------------
DEMO_DATA_ALLOWED = True
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo")
# seed_demo also leaves processes at different steps (`seed_demo_work`); tests start empty.
DEMO_WORK_IN_PROGRESS = env.bool("DEMO_WORK_IN_PROGRESS", default=True)

# --- Documents ---------------------------------------------------------------------------------
DOCUMENT_MAX_UPLOAD_SIZE = env.int("DOCUMENT_MAX_UPLOAD_SIZE", default=50 * 2**20)
# What the parts of an Office/OpenDocument file may add up to once inflated (zip bombs).
DOCUMENT_MAX_UNCOMPRESSED_SIZE = env.int("DOCUMENT_MAX_UNCOMPRESSED_SIZE", default=300 * 2**20)
DOCUMENT_MAX_ARCHIVE_MEMBERS = 10_000
# Uploads above this size go to a temporary file, never whole into the web process's memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 2**20

# --- Sign-in limits, the shared cache, the client's address, Content-Security-Policy ----------
# (README, "Configuration": what each protects.)
# The cache every process shares (sign-in rates count across gunicorn workers and machines):
# CACHE_URL (redis://…, or any scheme django-environ reads); without it a Redis broker's server
# on the next database number (broker /0 → cache /1); the embedded default keeps it in files
# under var/, which all of the machine's processes share.
CACHE_URL = env.str("CACHE_URL", default="")
if not CACHE_URL and CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    _broker = urlsplit(CELERY_BROKER_URL)
    _broker_database = int(_broker.path.strip("/") or 0)
    CACHE_URL = urlunsplit(_broker._replace(path=f"/{(_broker_database + 1) % 16}"))
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
        }
    }
elif CACHE_URL:
    CACHES = {"default": env.cache_url_config(CACHE_URL)}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
# How many proxies of ours stand in front of the web process, each appending the address it saw
# to X-Forwarded-For; the client's address is the one the outermost saw (config.security).
# 0: REMOTE_ADDR, whatever the header says.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT
# Sign-in requests per client address, on the API's token and the sign-in pages alike.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "token": env.str("TOKEN_THROTTLE_RATE", default="20/min"),
    "login": env.str(
        "LOGIN_THROTTLE_RATE", default=env.str("TOKEN_THROTTLE_RATE", default="20/min")
    ),
    # The public portal's endpoints, per client address (config.public): reading, and the
    # submissions (requests, complaints, comments) that write.
    "public_read": env.str("PUBLIC_READ_THROTTLE_RATE", default="120/min"),
    "public_submit": env.str("PUBLIC_SUBMIT_THROTTLE_RATE", default="10/hour"),
}
# Failed sign-ins (django-axes, in the database): LOGIN_FAILURE_LIMIT failures from one address,
# or for one account, lock it out for LOGIN_LOCKOUT_MINUTES; each attempt meanwhile starts the
# period again. Every authenticate() call with a request is counted: API, pages, admin.
INSTALLED_APPS += ["axes"]
AUTHENTICATION_BACKENDS.insert(0, "axes.backends.AxesStandaloneBackend")
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_address"
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
# Successful sign-ins are not kept by axes: the audit log is the record.
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False  # no banner on every manage.py command
# Content-Security-Policy on every response (django-csp). Scripts only from our own origin or
# inline with the request's nonce: nonce="{{ request.csp_nonce }}". Turbo keeps the policy of
# the page it first loaded, so a page with an inline script also needs
# <meta name="turbo-visit-control" content="reload">. Styles may be inline: viewflow's
# components and our templates set style attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF, "data:"],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
    "csp.middleware.CSPMiddleware",
)
# Before anything reads a request's body (the CSRF check reads a page's form), after the
# language is known (their refusals are worded in it).
MIDDLEWARE.insert(
    MIDDLEWARE.index("roles.middleware.UserLanguageMiddleware") + 1,
    "documents.middleware.upload_length_refused",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("documents.middleware.upload_length_refused") + 1,
    "config.security.login_rate_limited",
)
# Turns a lockout noted during sign-in into the refusal (config.security.lockout_response).
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# --- end of sign-in limits and Content-Security-Policy ---

# --- The directory (roles/directory.py): officials sign in with their LDAP / Active Directory
# account; off while LDAP_SERVER_URI is empty. Local passwords stay (ModelBackend first) for the
# embedded default and break-glass accounts. Groups are never mirrored into Django's groups
# (those carry the object permissions): they map to memberships through roles.DirectoryGroup.
LDAP_SERVER_URI = env.str("LDAP_SERVER_URI", default="")
if LDAP_SERVER_URI:
    import ldap
    from django_auth_ldap.config import (
        ActiveDirectoryGroupType,
        GroupOfNamesType,
        GroupOfUniqueNamesType,
        LDAPSearch,
        PosixGroupType,
    )

    AUTH_LDAP_SERVER_URI = LDAP_SERVER_URI
    AUTH_LDAP_BIND_DN = env.str("LDAP_BIND_DN", default="")
    AUTH_LDAP_BIND_PASSWORD = env.str("LDAP_BIND_PASSWORD", default="")
    AUTH_LDAP_START_TLS = env.bool("LDAP_START_TLS", default=False)
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_REFERRALS: 0, ldap.OPT_NETWORK_TIMEOUT: 10}
    if env.str("LDAP_CA_CERT_FILE", default=""):
        AUTH_LDAP_GLOBAL_OPTIONS = {ldap.OPT_X_TLS_CACERTFILE: env.str("LDAP_CA_CERT_FILE")}
    # A disabled directory account is kept out by the filter, e.g. on Active Directory
    # (&(sAMAccountName=%(user)s)(!(userAccountControl:1.2.840.113556.1.4.803:=2))).
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        env.str("LDAP_USER_SEARCH_BASE"),
        ldap.SCOPE_SUBTREE,
        env.str("LDAP_USER_FILTER", default="(uid=%(user)s)"),
    )
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        env.str("LDAP_GROUP_SEARCH_BASE"),
        ldap.SCOPE_SUBTREE,
        env.str("LDAP_GROUP_FILTER", default="(objectClass=groupOfNames)"),
    )
    AUTH_LDAP_GROUP_TYPE = {
        "groupOfNames": GroupOfNamesType,
        "groupOfUniqueNames": GroupOfUniqueNamesType,
        "activeDirectory": ActiveDirectoryGroupType,
        "posixGroup": PosixGroupType,
    }[env.str("LDAP_GROUP_TYPE", default="groupOfNames")]()
    AUTH_LDAP_USER_ATTR_MAP = {"first_name": "givenName", "last_name": "sn", "email": "mail"}
    AUTH_LDAP_ALWAYS_UPDATE_USER = True
    AUTH_LDAP_MIRROR_GROUPS = False
    AUTH_LDAP_CACHE_TIMEOUT = 0  # a group change counts at the next sign-in
    AUTHENTICATION_BACKENDS.insert(
        AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend") + 1,
        "roles.directory.DirectoryBackend",
    )
# --- end of the directory ---

# --- OpenID Connect (roles/oidc.py): officials sign in at /oidc/authenticate/ with the
# government's identity provider; off while OIDC_RP_CLIENT_ID is empty. The groups claim maps to
# memberships through roles.DirectoryGroup, as the directory's groups do.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
if OIDC_RP_CLIENT_ID:
    OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET")
    OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="") or None
    OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
    OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid email profile")
    OIDC_USERNAME_CLAIM = env.str("OIDC_USERNAME_CLAIM", default="preferred_username")
    OIDC_GROUPS_CLAIM = env.str("OIDC_GROUPS_CLAIM", default="groups")
    OIDC_TIMEOUT = 10
    AUTHENTICATION_BACKENDS.insert(
        AUTHENTICATION_BACKENDS.index("django.contrib.auth.backends.ModelBackend") + 1,
        "roles.oidc.GovernmentOIDCBackend",
    )
# --- end of OpenID Connect ---
