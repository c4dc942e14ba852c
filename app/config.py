"""Settings read from MOTCUA_* environment variables, so secrets never live in the code."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ENV_PREFIX = "MOTCUA_"


def _env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(ENV_PREFIX + name, default)


def _secret_key(instance_path: Path) -> str:
    """Use MOTCUA_SECRET_KEY, else a random key kept in instance/ so local sessions survive restarts."""
    key = _env("SECRET_KEY")
    if key:
        return key
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def _ratelimit_storage() -> str:
    """Redis (shared by all workers) from MOTCUA_RATELIMIT_STORAGE_URI; memory:// only when unset (dev, tests)."""
    return _env("RATELIMIT_STORAGE_URI") or "memory://"


def _redis_url() -> str | None:
    """Redis shared by the workers (credentials stamp): MOTCUA_REDIS_URL, else the rate limits' Redis if any."""
    url = _env("REDIS_URL") or _ratelimit_storage()
    return url if url.startswith(("redis://", "rediss://", "unix://")) else None


def _pgbouncer_options() -> dict:
    """Behind PgBouncer in transaction mode no statement may be prepared on the server: the next transaction can
    run on another server connection (PgBouncer 1.18, Debian 12, does not track prepared statements)."""
    return {"connect_args": {"prepare_threshold": None}} if _env("DB_PGBOUNCER", "0") == "1" else {}


def build_config(instance_path: Path) -> dict:
    """Return the Flask config dictionary for this process."""
    default_db = f"sqlite:///{instance_path / 'motcua.sqlite'}"
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _env("DATABASE_URL", default_db),
        # A ping per checkout costs a round trip on every request; recycle connections instead (opt back in).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": _env("DB_PRE_PING", "0") == "1", "pool_recycle": 1800,
                                      **_pgbouncer_options()},
        # The server itself, for the scheduler's session-level advisory lock when the app goes through PgBouncer.
        "DIRECT_DATABASE_URL": _env("DIRECT_DATABASE_URL"),
        # SQLite (the demo): how long a writer waits for the other process's write lock before answering 409.
        "SQLITE_BUSY_TIMEOUT_MS": int(_env("SQLITE_BUSY_TIMEOUT_MS", "10000")),
        # Reads that may lag (dashboards, reports, statistics) go to this streaming replica (app.core.db.lagging_reads).
        "SQLALCHEMY_BINDS": ({"replica": {"url": _env("REPLICA_DATABASE_URL"), "pool_recycle": 1800}}
                             if _env("REPLICA_DATABASE_URL") else {}),
        "SQLALCHEMY_TRACK_MODIFICATIONS": False,
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        # The early warning (app.reports.warning): a season is this many months of the step's start (1: the month,
        # 3: quarters; 12: no season); a step's history needs WARNING_MIN_SAMPLES finished dossiers, a season's
        # factor WARNING_SEASON_MIN_SAMPLES finished steps.
        "WARNING_SEASON_MONTHS": int(_env("WARNING_SEASON_MONTHS", "1")),
        "WARNING_MIN_SAMPLES": int(_env("WARNING_MIN_SAMPLES", "10")),
        "WARNING_SEASON_MIN_SAMPLES": int(_env("WARNING_SEASON_MIN_SAMPLES", "30")),
        "LOG_FORMAT": _env("LOG_FORMAT", "text"),
        "LOG_LEVEL": _env("LOG_LEVEL", "INFO"),
        "LIBRARY_LOG_LEVEL": _env("LIBRARY_LOG_LEVEL", "WARNING"),
        # Idle timeout: the signed cookie is re-issued on every request and refused once older than this.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=float(_env("SESSION_IDLE_HOURS", "8"))),
        "SESSION_REFRESH_EACH_REQUEST": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _env("COOKIE_SECURE", "0") == "1",
        "WTF_CSRF_TIME_LIMIT": None,
        "SMTP_HOST": _env("SMTP_HOST"),
        "SMTP_PORT": int(_env("SMTP_PORT", "25")),
        "SMTP_FROM": _env("SMTP_FROM", "motcua@localhost"),
        "SMS_WEBHOOK_URL": _env("SMS_WEBHOOK_URL"),
        # Where citizens reach this installation: links in messages (lookup page, unsubscribe) are built on it.
        # The rating invitation leaves this long after the result was returned (not at all once rated).
        "RATING_INVITATION_DELAY_HOURS": float(_env("RATING_INVITATION_DELAY_HOURS", "2")),
        # Officials' notices: a step late by this many working hours is escalated to the agency's leaders.
        "ESCALATION_HOURS": float(_env("ESCALATION_HOURS", "8")),
        # Daily audit anchors are also appended, signed, to a file outside the database (put it on another volume).
        "ANCHOR_FILE": _env("ANCHOR_FILE"),
        "ANCHOR_KEY": _env("ANCHOR_KEY"),
        "INBOX_PAGE_SIZE": int(_env("INBOX_PAGE_SIZE", "50")),
        # Public lookup: Flask-Limiter per client and per dossier code, shared by the web pages and the API.
        "RATELIMIT_STORAGE_URI": _ratelimit_storage(),
        # API callers are cached per worker for this long; a revocation reaches every worker at once through the
        # credentials stamp in Redis (no Redis: no cache, every request reads the token from the database).
        "REDIS_URL": _redis_url(),
        "TOKEN_CACHE_SECONDS": float(_env("TOKEN_CACHE_SECONDS", "30")),
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "motcua"),
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis down: still limited per worker; PIN locks hold anyway
        "LOOKUP_CLIENT_LIMIT": _env("LOOKUP_CLIENT_LIMIT", "30 per minute; 300 per hour"),
        "LOOKUP_CODE_LIMIT": _env("LOOKUP_CODE_LIMIT", "10 per minute; 40 per hour"),
        # Counter search by a whole ID/tax number, per official (a search cannot become a population register).
        "COUNTER_ID_SEARCH_LIMIT": _env("COUNTER_ID_SEARCH_LIMIT", "20 per minute; 200 per day"),
        # Per-dossier PIN guard in the database: delay from the 2nd failure, lock after N, growing locks.
        "PIN_MAX_FAILURES": int(_env("PIN_MAX_FAILURES", "5")),
        "PIN_DELAY_SECONDS": float(_env("PIN_DELAY_SECONDS", "2")),
        "PIN_LOCK_MINUTES": int(_env("PIN_LOCK_MINUTES", "15")),
        "PIN_LOCK_MAX_MINUTES": int(_env("PIN_LOCK_MAX_MINUTES", "1440")),
        "LOOKUP_GRANT_SECONDS": int(_env("LOOKUP_GRANT_SECONDS", "900")),
        # Request bodies: everything parsed is bounded (413 beyond, 400 for hostile JSON).
        "MAX_CONTENT_LENGTH": int(_env("MAX_CONTENT_LENGTH", str(20 * 1024 * 1024))),
        "ANONYMOUS_MAX_CONTENT_LENGTH": int(_env("ANONYMOUS_MAX_CONTENT_LENGTH", str(256 * 1024))),
        "JSON_MAX_DEPTH": int(_env("JSON_MAX_DEPTH", "64")),
        "BPMN_DIR": _env("BPMN_DIR", str(Path(__file__).resolve().parent.parent / "bpmn")),
        "FORMS_DIR": _env("FORMS_DIR", str(Path(__file__).resolve().parent.parent / "forms")),
        # Model scripts and templates: "process" = pooled worker processes under OS limits; "inline" only for
        # trusted models (e.g. a single-user demo): it has the instruction budget but no CPU/memory limit.
        "SANDBOX": _env("SANDBOX", "process"),
        "SANDBOX_WORKERS": int(_env("SANDBOX_WORKERS", "2")),
        "SANDBOX_MEMORY_MB": int(_env("SANDBOX_MEMORY_MB", "256")),
        # Documents (app.documents): content-addressed storage, upload limits, the public address in QR codes.
        "DOCUMENT_STORAGE": _env("DOCUMENT_STORAGE", "local"),
        "DOCUMENT_DIR": _env("DOCUMENT_DIR"),  # default: instance/documents
        "S3_ENDPOINT_URL": _env("S3_ENDPOINT_URL"),  # DOCUMENT_STORAGE=s3: any S3-compatible store
        "S3_BUCKET": _env("S3_BUCKET", "motcua-documents"),
        "S3_REGION": _env("S3_REGION", "us-east-1"),
        "S3_ACCESS_KEY_ID": _env("S3_ACCESS_KEY_ID"),
        "S3_SECRET_ACCESS_KEY": _env("S3_SECRET_ACCESS_KEY"),
        "UPLOAD_MAX_BYTES": int(_env("UPLOAD_MAX_BYTES", str(15 * 1024 * 1024))),
        "UPLOAD_MAX_PAGES": int(_env("UPLOAD_MAX_PAGES", "100")),
        # The public verification page (/xac-thuc): uploads are anonymous (ANONYMOUS_MAX_CONTENT_LENGTH bounds them).
        "VERIFY_LIMIT": _env("VERIFY_LIMIT", "20 per minute; 200 per hour"),
        "PUBLIC_URL": (_env("PUBLIC_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Signing the electronic results: the agency keys and certificates (PEM) under this folder; `flask demo
        # load` creates a demo CA there (instance/pki, never in git). MOTCUA_PKI_DIR points production elsewhere.
        "PKI_DIR": _env("PKI_DIR"),
        "SIGNING_KEY_PASSPHRASE": _env("SIGNING_KEY_PASSPHRASE"),
        # An RFC 3161 time-stamping authority: signed results carry its time (PAdES B-T). Its root certificate goes
        # into PKI_DIR/trust; `make run` points this at the local sandbox (tools/sandboxes/tsa.py).
        "TSA_URL": _env("TSA_URL"),
        "TSA_TIMEOUT": float(_env("TSA_TIMEOUT", "10")),
        **_online_services(),
    }


def _online_services() -> dict:
    """External services of the citizen portal (app.connectors); unset = that service is not offered.

    `make run` points them at the local sandboxes (Procfile); production at VNeID, the population database, the
    payment platform and the postal service, with their secrets from the environment.
    """
    names = ("OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "REGISTRY_URL", "REGISTRY_KEY", "PAYMENT_URL",
             "PAYMENT_MERCHANT", "PAYMENT_SECRET", "POST_URL", "POST_CLIENT_ID", "POST_SECRET", "PORTAL_URL",
             "PORTAL_CLIENT_ID", "PORTAL_SECRET")
    return {**{name: _env(name) for name in names},
            "EXTERNAL_TIMEOUT": float(_env("EXTERNAL_TIMEOUT", "5")),  # seconds, connect and read, per attempt
            "EXTERNAL_RETRIES": int(_env("EXTERNAL_RETRIES", "2")),  # idempotent calls only
            "PAYMENT_MINUTES": int(_env("PAYMENT_MINUTES", "15"))}  # a payment request expires after this
