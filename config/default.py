"""Default settings. Override in ``instance/lms.cfg`` or with ``LMS_<NAME>`` environment variables.

Every key is documented in docs/configuration.md.
"""

# "development" or "production". Production refuses to start with the default secret key.
ENV = "development"
SECRET_KEY = "change-me-this-is-the-default-secret-key"  # noqa: S105 (refused in production)

# Embedded default: a SQLite file in the instance folder.
# In production use a PostgreSQL URL (postgresql+psycopg://user@host/db).
DATABASE_URL = ""
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

# Catalog
CATALOG_PAGE_SIZE = 20

# Site
SITE_NAME = "LMS"
PRIVACY_POLICY_VERSION = "1"
