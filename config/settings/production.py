"""Production: the base settings, refusing to start with an unsafe environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *

if SECRET_KEY == INSECURE_SECRET_KEY or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters."
    )
if len(env.str("AUDIT_HMAC_KEY", default="")) < 32 or AUDIT_HMAC_KEY == SECRET_KEY:
    raise ImproperlyConfigured(
        "AUDIT_HMAC_KEY must be set to a random value of at least 32 characters, "
        "other than SECRET_KEY."
    )
if DEBUG:
    raise ImproperlyConfigured("DEBUG must be off in production.")
if "*" in ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must name the served hosts, not '*'.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("DATABASE_URL must point at PostgreSQL in production.")
if CELERY_BROKER_URL.startswith("filesystem"):
    raise ImproperlyConfigured("CELERY_BROKER_URL must point at Redis or RabbitMQ in production.")
if CACHES["default"]["BACKEND"].endswith(("FileBasedCache", "LocMemCache", "DummyCache")):
    raise ImproperlyConfigured(
        "Sign-in limits need a cache every web process shares: set CACHE_URL (redis://…) "
        "or use a Redis broker."
    )

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
CSRF_COOKIE_HTTPONLY = True
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True

DEMO_DATA_ALLOWED = False
