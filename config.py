"""Configuration read from the environment (``LMS_*`` variables).

``LMS_ENV`` picks the class: ``development`` (default), ``testing`` or ``production``.
Values are read when a configuration object is created, so a process (or a test) that changes
the environment before calling ``create_app`` gets what it asked for. Production refuses to
start without ``LMS_SECRET_KEY`` and without a shared rate-limit store.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def env_int(name: str, default: int) -> int:
    value = env(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {value!r}.") from None


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable configuration."""


class Config:
    ENV_NAME = "base"

    def __init__(self) -> None:
        self.INSTANCE_PATH = env("LMS_INSTANCE_PATH", str(BASE_DIR / "instance"))
        self.SECRET_KEY = env("LMS_SECRET_KEY")
        self.SQLALCHEMY_DATABASE_URI = env(
            "LMS_DATABASE_URL", f"sqlite:///{Path(self.INSTANCE_PATH) / 'lms.sqlite3'}"
        )
        self.SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
        # SQLite durability (WAL journal): FULL fsyncs every commit; NORMAL is faster and may
        # lose the last commits on power loss, never corrupting the database.
        self.SQLITE_SYNCHRONOUS = (env("LMS_SQLITE_SYNCHRONOUS", "FULL") or "FULL").upper()
        self.SQLITE_BUSY_TIMEOUT_MS = env_int("LMS_SQLITE_BUSY_TIMEOUT_MS", 15000)

        self.BABEL_DEFAULT_LOCALE = env("LMS_DEFAULT_LOCALE", "zh_CN")
        self.BABEL_DEFAULT_TIMEZONE = env("LMS_DEFAULT_TIMEZONE", "Asia/Shanghai")
        # language of messages outside a web request (commands, the scheduler)
        self.CLI_LOCALE = env("LMS_CLI_LOCALE", self.BABEL_DEFAULT_LOCALE)
        self.BABEL_TRANSLATION_DIRECTORIES = "translations"
        self.LANGUAGES = ("zh_CN", "en")

        self.RATELIMIT_STORAGE_URI = env("LMS_RATELIMIT_STORAGE_URI", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        self.RATELIMIT_ENABLED = env_bool("LMS_RATELIMIT_ENABLED", True)
        self.LOGIN_LIMIT_PER_IP = env("LMS_LOGIN_LIMIT_PER_IP", "30 per 5 minutes")
        self.LOGIN_LIMIT_PER_ACCOUNT = env("LMS_LOGIN_LIMIT_PER_ACCOUNT", "5 per 5 minutes")

        self.STORAGE_PATH = env("LMS_STORAGE_PATH", str(Path(self.INSTANCE_PATH) / "storage"))
        self.MAX_CONTENT_LENGTH = env_int("LMS_MAX_UPLOAD_MB", 16) * 1024 * 1024
        self.ATTACHMENT_MAX_MB = env_int("LMS_ATTACHMENT_MAX_MB", 10)
        self.VIDEO_HOSTS = tuple(
            h.strip()
            for h in (
                env(
                    "LMS_VIDEO_HOSTS",
                    "player.bilibili.com,v.qq.com,player.youku.com,www.youtube-nocookie.com",
                )
                or ""
            ).split(",")
            if h.strip()
        )
        self.IMPORT_MAX_ROWS = env_int("LMS_IMPORT_MAX_ROWS", 20000)

        secure = env_bool("LMS_SECURE_COOKIES", self.ENV_NAME == "production")
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_SECURE = secure
        self.REMEMBER_COOKIE_HTTPONLY = True
        self.SESSION_PROTECTION = "strong"
        self.WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session

        self.PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105 - a method name
        # How many reverse proxies in front of the app set X-Forwarded-For/-Proto/-Host;
        # the per-address login limit needs the real client address.
        self.PROXY_HOPS = env_int("LMS_PROXY_HOPS", 0)
        self.PUBLIC_URL = env("LMS_PUBLIC_URL", "http://127.0.0.1:5000")
        self.API_TOKEN_DAYS = env_int("LMS_API_TOKEN_DAYS", 365)
        # Certificates: a render is stopped after this many seconds and refused above this size;
        # bulk downloads render in this many worker processes (0: one per CPU).
        self.CERTIFICATE_RENDER_TIMEOUT = env_int("LMS_CERTIFICATE_RENDER_TIMEOUT", 30)
        self.CERTIFICATE_MAX_BYTES = env_int("LMS_CERTIFICATE_MAX_BYTES", 10 * 1024 * 1024)
        self.CERTIFICATE_WORKERS = env_int("LMS_CERTIFICATE_WORKERS", 0)
        # Public verification pages, per client address (Redis-backed in production).
        self.VERIFY_RATE_LIMIT = env("LMS_VERIFY_RATE_LIMIT", "30 per minute")
        self.PAGE_SIZE = 25
        self.SCHEDULER_INTERVAL_SECONDS = env_int("LMS_SCHEDULER_INTERVAL_SECONDS", 60)

        # Email notifications through SMTP; an empty host turns email off.
        self.SMTP_HOST = env("LMS_SMTP_HOST", "") or ""
        self.SMTP_PORT = env_int("LMS_SMTP_PORT", 25)
        self.SMTP_USERNAME = env("LMS_SMTP_USERNAME")
        self.SMTP_PASSWORD = env("LMS_SMTP_PASSWORD")
        self.SMTP_SECURITY = (env("LMS_SMTP_SECURITY", "none") or "none").strip().lower()
        if self.SMTP_SECURITY not in {"none", "starttls", "ssl"}:
            raise ConfigError(
                f"LMS_SMTP_SECURITY must be none, starttls or ssl, got {self.SMTP_SECURITY!r}."
            )
        self.SMTP_TIMEOUT = env_int("LMS_SMTP_TIMEOUT", 10)
        self.MAIL_FROM = env("LMS_MAIL_FROM")  # None: noreply@ the public URL's host
        # daily digests go out from this hour on, in BABEL_DEFAULT_TIMEZONE
        self.MAIL_DIGEST_HOUR = env_int("LMS_MAIL_DIGEST_HOUR", 8)

    def validate(self) -> None:
        """Raise ConfigError when this configuration must not start."""


class DevelopmentConfig(Config):
    ENV_NAME = "development"

    def __init__(self) -> None:
        super().__init__()
        self.SECRET_KEY = self.SECRET_KEY or "development-only-not-secret"  # noqa: S105


class TestingConfig(Config):
    ENV_NAME = "testing"

    def __init__(self) -> None:
        super().__init__()
        self.TESTING = True
        self.SECRET_KEY = "testing-not-secret"  # noqa: S105
        self.SQLALCHEMY_DATABASE_URI = env("LMS_TEST_DATABASE_URL", "sqlite://")
        self.RATELIMIT_STORAGE_URI = "memory://"
        self.SQLITE_SYNCHRONOUS = "OFF"
        # fast hashing for the test suite
        self.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # noqa: S105
        # service-level tests read English messages
        self.CLI_LOCALE = "en"
        self.STORAGE_PATH = str(Path(tempfile.gettempdir()) / "lms-test-storage")
        self.SMTP_HOST = ""  # no email unless a test configures a server


class ProductionConfig(Config):
    ENV_NAME = "production"

    def validate(self) -> None:
        if not self.SECRET_KEY:
            raise ConfigError("LMS_SECRET_KEY must be set in production.")
        if not self.RATELIMIT_STORAGE_URI or self.RATELIMIT_STORAGE_URI.startswith("memory"):
            raise ConfigError(
                "LMS_RATELIMIT_STORAGE_URI must name a shared store (redis://...) in production."
            )


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def get_config(name: str | None = None) -> Config:
    name = name or env("LMS_ENV", "development")
    try:
        config = CONFIGS[name]()
    except KeyError:
        raise ConfigError(f"Unknown LMS_ENV {name!r}; use one of {', '.join(CONFIGS)}.") from None
    config.validate()
    return config
