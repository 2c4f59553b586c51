"""All settings, read from the environment.

Development needs nothing set: SQLite, a local-memory cache and console email.
Production sets DEBUG=false, SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from blogsite.csp import THEME_SCRIPT_HASH

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name, default):
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name, default):
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
# `make run`: the site on this machine as its readers see it (its own error pages, DEBUG off),
# still with the development key, plain HTTP, and static files and media served from source.
LOCAL_RUN = env_bool("LOCAL_RUN", False)
DEVELOPMENT = DEBUG or LOCAL_RUN

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"  # noqa: S105
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEVELOPMENT:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = _DEV_SECRET_KEY
elif not DEVELOPMENT and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured("SECRET_KEY must be a real secret of 50 or more characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
CSRF_FAILURE_VIEW = "blogsite.views.csrf_failure"

INSTALLED_APPS = [
    # modeltranslation patches the admin, so it must come before it.
    "modeltranslation",
    "blogsite.apps.BlogAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    "markdownx",
    "django_tasks",
    "django_tasks_db",
    "anymail",
    "reversion",
    "axes",
    # Serves the Content API's docs page from our static files, not from a CDN.
    "ninja",
    "corsheaders",
    "sitewide",
    "articles",
    "series",
    "newsletter",
    "federation",
    "hugo_import",
    "portability",
    "blogsite.apps.BlogsiteConfig",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # First after security: links and cache keys are built from SITE_URL's host from here on.
    "blogsite.middleware.SiteHostMiddleware",
    # Above the page cache, so a cached API answer gets its CORS headers too.
    "corsheaders.middleware.CorsMiddleware",
    "blogsite.csp.ContentSecurityPolicyMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Above the page cache: an article's ActivityPub object never meets its cached HTML.
    "federation.middleware.ArticleObjectMiddleware",
    # A cached public page is answered here, before anything below runs.
    "sitewide.pagecache.PageCacheHitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Old addresses (renamed articles, an imported site): a 301 for a 404, before the two
    # above turn it into their redirects.
    "blogsite.redirects.RedirectFallbackMiddleware",
    # Inside the language (pages are keyed by it): serves the rest, stores what is public.
    "sitewide.pagecache.PageCacheMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Before any view reads the path or the query: hostile input gets a 400 here, still
    # with every security header above.
    "blogsite.middleware.RejectHostileInputMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out user or client is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "blogsite.urls"
WSGI_APPLICATION = "blogsite.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "sitewide.context_processors.site",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The server and the task worker write at once: WAL lets readers go on beside a writer,
    # IMMEDIATE takes the write lock when a transaction starts (no failed upgrade halfway),
    # and a writer waits up to 20 s for the lock instead of answering "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# A hung Redis costs a request this long, not a worker forever; after one timeout the process
# skips Redis for two seconds (sitewide/cache.py). The test suite on a loaded 2-core machine
# gives it longer (.ci/run): a descheduled thread is not a Redis that stopped answering.
REDIS_SOCKET_TIMEOUT = float(os.environ.get("REDIS_SOCKET_TIMEOUT", "0.25"))
if REDIS_URL:
    CACHES = {
        "default": {
            # Fails open: with Redis down, pages are rendered uncached instead of failing.
            "BACKEND": "sitewide.cache.FailOpenRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "blog"),
            "OPTIONS": {
                "socket_connect_timeout": REDIS_SOCKET_TIMEOUT,
                "socket_timeout": REDIS_SOCKET_TIMEOUT,
            },
        }
    }
elif CACHE_DIR := os.environ.get("CACHE_DIR", ""):
    # One machine without Redis (`make run`): the server and the task worker are two
    # processes, and the worker's invalidations must reach the pages the server keeps. One
    # worker: files have no atomic increment, and two invalidating at once could lose one.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": CACHE_DIR,
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }
else:
    # One process's own memory: what another process (a task worker, a second app server)
    # invalidates never reaches it. Right for the tests, which run the site in one process;
    # a deployment sets REDIS_URL (or CACHE_DIR on one machine).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Languages: English is the default and the fallback for untranslated site texts; content
# (articles, series, tags, authors) exists in one language or both (sitewide.languages).
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("ru", _("Russian"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
FORMAT_MODULE_PATH = ["blogsite.formats"]
# modeltranslation's languages are LANGUAGES' (its default): adding a language to LANGUAGES
# adds its columns (`makemigrations`) and its edition everywhere.
MODELTRANSLATION_DEFAULT_LANGUAGE = LANGUAGE_CODE
MODELTRANSLATION_FALLBACK_LANGUAGES = (LANGUAGE_CODE,)
# PostgreSQL's text-search configuration for each language's search index (stemming, stop
# words); a language not named here is indexed with "simple" (no stemming): add "de": "german"
# when adding German (`\dF` in psql lists them).
SEARCH_CONFIGS = {"en": "english", "ru": "russian"}
# Open Graph's locale (og:locale) of each language; one not named here gets its own code as
# the territory (de: de_DE), or the territory it names (pt-br: pt_BR).
OPEN_GRAPH_LOCALES = {"en": "en_US"}
# The admin's language tabs need jQuery UI: ours (1.13.3, MIT), not a copy from another host.
JQUERY_UI_URL = "vendor/jquery-ui/jquery-ui.min.js"

STATIC_URL = "/static/"
# Its own directory for a second copy of the site on this checkout (tests/test_prod.py), whose
# collectstatic must not rewrite the files the test suite's servers are reading.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Django serves uploads itself in development and local audits; production's proxy does.
SERVE_MEDIA = env_bool("SERVE_MEDIA", DEVELOPMENT)
# Without collectstatic (development, make run) WhiteNoise serves the source folders.
WHITENOISE_USE_FINDERS = DEVELOPMENT
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEVELOPMENT
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# Markdown: one renderer for the admin preview and the public page.
MARKDOWNX_MARKDOWNIFY_FUNCTION = "articles.rendering.markdownify"
MARKDOWNX_MEDIA_PATH = "uploads/"

# Uploaded images (editor drops and covers) are checked by content against these caps.
IMAGE_UPLOAD_MAX_BYTES = int(os.environ.get("IMAGE_UPLOAD_MAX_BYTES", 5 * 1024 * 1024))
IMAGE_UPLOAD_MAX_PIXELS = int(os.environ.get("IMAGE_UPLOAD_MAX_PIXELS", 25_000_000))
# Cover images get WebP renditions at these widths, for srcset.
COVER_RENDITION_WIDTHS = [480, 960, 1440]

# Signed preview links for unpublished articles expire after this many days.
PREVIEW_LINK_MAX_AGE_DAYS = int(os.environ.get("PREVIEW_LINK_MAX_AGE_DAYS", "7"))

# Email: the console in development, SMTP once EMAIL_HOST is set; EMAIL_BACKEND overrides both.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    # Django's SMTP backend, telling the newsletter when a message's final dot goes out.
    "newsletter.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Engineering insights <news@localhost>")
# The newsletter's sender and where replies go (readers do reply to newsletters).
NEWSLETTER_FROM_EMAIL = os.environ.get("NEWSLETTER_FROM_EMAIL", DEFAULT_FROM_EMAIL)
NEWSLETTER_REPLY_TO = env_list("NEWSLETTER_REPLY_TO", [])

# A provider instead of SMTP is a backend plus its keys, e.g. EMAIL_BACKEND=
# anymail.backends.postmark.EmailBackend and ANYMAIL_POSTMARK_SERVER_TOKEN (see README).
# Bounce and complaint webhooks at /anymail/<provider>/tracking/ are refused unless they
# carry ANYMAIL_WEBHOOK_SECRET ("user:password", HTTP basic auth) and, where the provider
# signs its webhooks, its signing key.
# The one provider whose bounce and complaint webhooks are answered: the one EMAIL_BACKEND
# sends through (anymail.backends.<provider>.EmailBackend) unless set here.
MAIL_WEBHOOK_PROVIDER = os.environ.get(
    "MAIL_WEBHOOK_PROVIDER",
    EMAIL_BACKEND.split(".")[2] if EMAIL_BACKEND.startswith("anymail.backends.") else "",
)
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}

# Newsletter delivery. Temporary failures (4xx, an unreachable server) are retried with a
# doubling delay, from NEWSLETTER_RETRY_DELAY up to 30 minutes, for NEWSLETTER_RETRY_WINDOW;
# then the delivery is marked failed with the reason.
NEWSLETTER_BATCH_SIZE = int(os.environ.get("NEWSLETTER_BATCH_SIZE", "100"))
NEWSLETTER_RETRY_DELAY = int(os.environ.get("NEWSLETTER_RETRY_DELAY", "60"))
NEWSLETTER_RETRY_MAX_DELAY = int(os.environ.get("NEWSLETTER_RETRY_MAX_DELAY", "1800"))
NEWSLETTER_RETRY_WINDOW = int(os.environ.get("NEWSLETTER_RETRY_WINDOW", str(6 * 60 * 60)))
# How long a worker's claim on a batch lasts without renewal (a live worker renews it every
# third of it); after a crash (kill -9) the next worker takes the sending over at most this
# many seconds later, by itself.
NEWSLETTER_LEASE_SECONDS = int(os.environ.get("NEWSLETTER_LEASE_SECONDS", "20"))
# How long one task sends before the worker takes other work (a change's page invalidation)
# waiting meanwhile; the sending goes on in the next task.
NEWSLETTER_SLICE_SECONDS = float(os.environ.get("NEWSLETTER_SLICE_SECONDS", "10"))
NEWSLETTER_SOFT_BOUNCE_LIMIT = int(os.environ.get("NEWSLETTER_SOFT_BOUNCE_LIMIT", "3"))
# At most one confirmation email per address in this window, whatever the number of signups.
NEWSLETTER_CONFIRMATION_WINDOW = int(os.environ.get("NEWSLETTER_CONFIRMATION_WINDOW", "3600"))

# Background work (newsletter sending) runs in `manage.py db_worker`.
# The page invalidation's own queue when a worker of its own takes it (`make prod`: "pages");
# empty, it shares the default queue with every other task.
PAGE_INVALIDATION_QUEUE = os.environ.get("PAGE_INVALIDATION_QUEUE", "")
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        "QUEUES": sorted({"default", PAGE_INVALIDATION_QUEUE} - {""}),
    }
}

# Federation (ActivityPub): the editions' fediverse accounts, see README "Following from the
# fediverse". The actors' host is SITE_URL's.
FEDERATION_ENABLED = env_bool("FEDERATION_ENABLED", True)
# Private or loopback addresses remote input may still make us fetch (comma-separated
# addresses or networks), as Mastodon's ALLOWED_PRIVATE_ADDRESSES: for tests, a local network.
FEDERATION_ALLOWED_PRIVATE_ADDRESSES = os.environ.get("FEDERATION_ALLOWED_PRIVATE_ADDRESSES", "")
# Plain http to other servers: only in development, as Mastodon's own development mode.
FEDERATION_ALLOW_HTTP = env_bool("FEDERATION_ALLOW_HTTP", DEBUG)
FEDERATION_TIMEOUT = float(os.environ.get("FEDERATION_TIMEOUT", "10"))
# Waits before the second, third and fourth try of a delivery (about a minute, an hour, a day).
FEDERATION_RETRY_DELAYS = [
    int(delay) for delay in env_list("FEDERATION_RETRY_DELAYS", ["60", "3600", "86400"])
]
# An inbox failing this long (or answering 410) is dropped with the followers behind it.
FEDERATION_INBOX_GIVE_UP_DAYS = int(os.environ.get("FEDERATION_INBOX_GIVE_UP_DAYS", "3"))
FEDERATION_LEASE_SECONDS = int(os.environ.get("FEDERATION_LEASE_SECONDS", "120"))
FEDERATION_MAX_INBOX_BYTES = int(os.environ.get("FEDERATION_MAX_INBOX_BYTES", str(256 * 1024)))
FEDERATION_MAX_DOCUMENT_BYTES = int(os.environ.get("FEDERATION_MAX_DOCUMENT_BYTES", str(2**20)))
FEDERATION_MAX_JSON_DEPTH = int(os.environ.get("FEDERATION_MAX_JSON_DEPTH", "16"))
FEDERATION_INBOX_RATE_PER_MINUTE = int(os.environ.get("FEDERATION_INBOX_RATE_PER_MINUTE", "300"))
FEDERATION_OUTBOX_ITEMS = 20
# An article that went live longer ago than this when first sent (an import, a backdated
# article) is not pushed into followers' timelines; it stays fetchable and in the outbox.
FEDERATION_NEWS_HOURS = int(os.environ.get("FEDERATION_NEWS_HOURS", "48"))

# Whole public pages are kept in the cache this long (0 turns the page cache off); any save of
# what pages show makes them stale at once, and none outlives the next scheduled publication.
PAGE_CACHE_SECONDS = int(os.environ.get("PAGE_CACHE_SECONDS", "600"))
# Hot pages are also kept in each app server's memory (sitewide/localpages.py), with Redis
# as the page cache: a copy is trusted this many seconds at most (0: never), within this many
# bytes a process. Every change reaches every process at once; this is the bound should one
# stop hearing of them without noticing.
PAGE_CACHE_LOCAL_SECONDS = int(os.environ.get("PAGE_CACHE_LOCAL_SECONDS", "5"))
PAGE_CACHE_LOCAL_BYTES = int(os.environ.get("PAGE_CACHE_LOCAL_BYTES", str(32 * 1024 * 1024)))
# What follows a change to what pages show (sitewide/changes.py): tasks on the worker, each
# given the changed keys. Named here, on top of every app, so no app reaches up for them.
CONTENT_CHANGE_CONSUMERS = [
    "sitewide.tasks.invalidate_pages",
    "articles.tasks.make_article_renditions",
    "articles.tasks.refresh_related",
    "articles.tasks.draw_article_cards",
    "series.tasks.draw_series_cards",
    "sitewide.tasks.draw_site_cards",
    "federation.tasks.federate_changes",
]
# Brought up to date by invalidate_pages before it moves the version: what pages read besides
# the rows. Refreshed first, one bump drops the pages rendered from the old index.
CONTENT_CHANGE_REFRESHES = ["articles.search_index.refresh_changed"]
# The task backend they go to (tests run them at once on their own backend).
CONTENT_CHANGE_TASKS = "default"
# The proxy or CDN in front that a change purges (sitewide/purge.py): an adapter's dotted path,
# the purge endpoint, a token for a CDN's API, and the response header that carries a page's
# keys for a CDN's purge by tag (Cache-Tag for Cloudflare, Surrogate-Key for Fastly).
PAGE_PURGER = os.environ.get("PAGE_PURGER", "")
PAGE_PURGE_URL = os.environ.get("PAGE_PURGE_URL", "")
PAGE_PURGE_TOKEN = os.environ.get("PAGE_PURGE_TOKEN", "")
PAGE_PURGE_TAG_HEADER = os.environ.get("PAGE_PURGE_TAG_HEADER", "")
# How many of one change's addresses nginx fetches anew in place of its copies (readers keep
# the old copy for the render's few ms); the rest are purged (sitewide/purge.py says why).
PAGE_REFRESH_LIMIT = int(os.environ.get("PAGE_REFRESH_LIMIT", "30"))
# What public pages allow proxies and CDNs (s-maxage, then stale-while-revalidate): an hour
# when a change purges them, else a second (nothing could tell the proxy of a change).
SHARED_CACHE_SECONDS = int(os.environ.get("SHARED_CACHE_SECONDS", "3600" if PAGE_PURGER else "1"))
SHARED_CACHE_STALE_SECONDS = int(os.environ.get("SHARED_CACHE_STALE_SECONDS", "1"))
# How long proxies may keep a 404 or 301 (a withdrawn or moved page): short, so a publish
# replaces it at once even where no purge reaches, long enough that a hot 404 costs nothing.
SHARED_CACHE_ERROR_SECONDS = int(os.environ.get("SHARED_CACHE_ERROR_SECONDS", "1"))
# The query parameters some view reads (pagination, search, the Content API, WebFinger, the
# login's and language switcher's next). Any other (utm_*, cache busters) is dropped from an
# anonymous read before the cache or a view sees it: the canonical page is answered, and no
# new cache entry is made. A view that reads a new parameter adds it here (and to the same
# list in deploy/nginx.conf, which lets nginx keep only addresses made of these).
PAGE_CACHE_QUERY_PARAMETERS = frozenset(
    {
        "page",
        "q",
        "next",
        "lang",
        "fields",
        "include",
        "formats",
        "limit",
        "tag",
        "series",
        "author",
        "published_after",
        "resource",
        # The hub's note for a reader the switcher brought from an article not in the edition.
        "not_in_edition",
        # The page of a sitemap section (Django's sitemaps name it so).
        "p",
    }
)

# The Content API (/api/v1/) is public and read-only: any site may GET it from a browser.
CORS_URLS_REGEX = r"^/api/"
CORS_ALLOW_ALL_ORIGINS = True
CORS_ALLOW_METHODS = ["GET", "HEAD", "OPTIONS"]
CORS_ALLOW_HEADERS = ["if-none-match", "if-modified-since"]
CORS_EXPOSE_HEADERS = ["ETag"]
CORS_PREFLIGHT_MAX_AGE = 86400

# Where "Log in" leads after an invited person has chosen a password: the admin.
LOGIN_URL = "admin:login"
# An invitation's link to set the password works this long (seconds).
PASSWORD_RESET_TIMEOUT = int(os.environ.get("PASSWORD_RESET_TIMEOUT", str(7 * 24 * 3600)))

# Social preview images are drawn after each article, series or site-settings save.
SOCIAL_IMAGES = env_bool("SOCIAL_IMAGES", True)

SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# Every request is answered as SITE_URL's host (blogsite.middleware.SiteHostMiddleware).
if urlsplit(SITE_URL).hostname not in ALLOWED_HOSTS:
    ALLOWED_HOSTS = [*ALLOWED_HOSTS, urlsplit(SITE_URL).hostname]

if not DEVELOPMENT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}

# The client's address. TRUSTED_PROXIES says how many reverse proxies sit in front of the
# app servers, each appending the address it saw to X-Forwarded-For (nginx's
# $proxy_add_x_forwarded_for). With none, only REMOTE_ADDR counts and a forwarded header a
# client sends changes nothing. The signup rate limit, the consent record and login
# throttling all ask django-ipware, configured here once.
TRUSTED_PROXIES = int(os.environ.get("TRUSTED_PROXIES", "0"))
IPWARE_META_PRECEDENCE_ORDER = (
    ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR") if TRUSTED_PROXIES else ("REMOTE_ADDR",)
)
# ipware counts the proxies listed in the header; the nearest one is REMOTE_ADDR, not listed.
IPWARE_META_PROXY_COUNT = max(TRUSTED_PROXIES - 1, 0)
# Addresses a client put in front of the chain are ignored, not a reason to drop the header.
IPWARE_STRICT = False
AXES_IPWARE_META_PRECEDENCE_ORDER = IPWARE_META_PRECEDENCE_ORDER
AXES_IPWARE_PROXY_COUNT = IPWARE_META_PROXY_COUNT

# Login throttling (django-axes): after AXES_FAILURE_LIMIT failures a user name, and
# separately a client address, is locked out for AXES_COOLOFF_MINUTES; editors unlock
# early by deleting the attempt in the admin. The right password from an address its user
# has logged in from before still opens (blogsite/logins.py), so nobody can lock staff out.
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_WHITELIST_CALLABLE = "blogsite.logins.right_password_from_a_known_client"
# Logs name the client; a user name stays out of them (people type passwords there by mistake),
# editors see it in the admin's list of attempts.
AXES_SENSITIVE_PARAMETERS = ["username"]

# One static policy, the same bytes for every reader, so pages stay cacheable (no nonce).
# The only inline script is the theme's, allowed by its hash (see blogsite/csp.py).
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", THEME_SCRIPT_HASH],
    # Tables keep their column alignment (style="text-align: …" from Markdown).
    "style-src": ["'self'", "'unsafe-inline'"],
    # Article images come from our media or over https.
    "img-src": ["'self'", "https:", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
}
PERMISSIONS_POLICY = {
    feature: []
    for feature in [
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media",
        "fullscreen", "geolocation", "gyroscope", "magnetometer", "microphone", "midi",
        "payment", "picture-in-picture", "publickey-credentials-get", "screen-wake-lock",
        "sync-xhr", "usb", "xr-spatial-tracking",
    ]
}  # fmt: skip
