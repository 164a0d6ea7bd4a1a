"""Default settings. Override in ``instance/lms.cfg`` or with ``LMS_<NAME>`` environment variables.

Every key is documented in docs/configuration.md.
"""

# "development" or "production". Production refuses to start with the default secret key.
ENV = "development"
SECRET_KEY = "change-me-this-is-the-default-secret-key"  # noqa: S105 (refused in production)

# Embedded default: a SQLite file in the instance folder.
# In production use a PostgreSQL URL (postgresql+psycopg://user@host/db).
DATABASE_URL = ""
# PostgreSQL: a pooled connection idle for this many seconds is tested (one round trip) before
# it serves a request, so one closed by a database restart or a firewall is replaced unseen.
# 0 tests every connection before every use.
DATABASE_PING_AFTER = 10
# Redis for the rate limiter, the cache and Celery. Empty: in-process defaults, no Redis needed.
REDIS_URL = ""

# Where the site's themes live and which one is active.
THEMES_DIR = ""
THEME = "default"

# Languages: Thai first.
DEFAULT_LOCALE = "th"
LANGUAGES = ["th", "en"]
TIMEZONE = "Asia/Bangkok"

# Accounts
LOGIN_RATE_LIMIT = "10 per minute"
RESET_RATE_LIMIT = "5 per hour"
SIGNUP_RATE_LIMIT = "20 per hour"
PASSWORD_MIN_LENGTH = 8
PASSWORD_RESET_MAX_AGE = 3600

# Mail. Without SMTP_HOST, messages are written to the instance folder's mail/ directory.
SMTP_HOST = ""
SMTP_PORT = 25
SMTP_USER = ""
SMTP_PASSWORD = ""
SMTP_STARTTLS = False
MAIL_FROM = "lms@localhost"
MAIL_FOLDER = ""

# Plugins named here are not loaded (entry-point names, comma-separated in the environment).
DISABLED_PLUGINS = []
# Extra plugin modules not installed as packages: "name=module" strings.
EXTRA_PLUGINS = []
# A plugin whose hooks raise this many times in a row is switched off for the site (0: never).
PLUGIN_MAX_FAILURES = 5
# Largest plugin wheel an admin may upload on the plugin page, in MB.
PLUGIN_UPLOAD_MAX_MB = 20

# Catalog
CATALOG_PAGE_SIZE = 20
# Audience plugin (lms_audience): email domains whose people are in the "staff" audience group
# (a domain also covers its subdomains), e.g. ["cmpao.go.th", "obec.go.th"].
AUDIENCE_STAFF_DOMAINS = []
# Audience plugin: children under this age get an account created and managed by a parent,
# guardian or teacher, and sign in with a login name and a PIN or pictures.
AUDIENCE_GUARDIAN_UNDER_AGE = 13
# Audience plugin: a child's sign-in, per client address and (failed attempts) per login name.
AUDIENCE_CHILD_LOGIN_RATE_LIMIT = "10 per minute"
AUDIENCE_CHILD_LOGIN_NAME_LIMIT = "20 per hour"

# Uploaded files (lms/storage.py). STORAGE_BACKEND "local" keeps them in STORAGE_DIR (empty:
# <instance>/files). Each upload is checked by extension AND first bytes, and by size: the
# largest upload in MB for each kind of file (document: PDF and office files; video: MP4;
# captions: WebVTT; image: PNG/JPEG/GIF/WebP; package: a course package .zip).
STORAGE_BACKEND = "local"
STORAGE_DIR = ""
UPLOAD_MAX_MB_DOCUMENT = 20
UPLOAD_MAX_MB_VIDEO = 200
UPLOAD_MAX_MB_CAPTIONS = 1
UPLOAD_MAX_MB_IMAGE = 5
UPLOAD_MAX_MB_PACKAGE = 500
# Audio (MP3, M4A, Ogg, WAV), e.g. a page's narration.
UPLOAD_MAX_MB_AUDIO = 20
# Live online classes: how many minutes before the start the join button opens.
LIVE_JOIN_OPENS_MINUTES = 15

# Site
SITE_NAME = "LMS"
PRIVACY_POLICY_VERSION = "1"
