"""A stamp, shared by every worker process through Redis, that changes whenever a credential or a permission is
withdrawn (an API token revoked, an account disabled, a role revoked).

Per-process caches of who a caller is (app.tokens.cache) read it on every request and trust their entries only
while it has not moved, so a revocation committed by one worker is honoured by all of them on their next request.
Without Redis, or while it cannot be reached, the stamp is unknown (None) and such caches must not be used: the
caller is authenticated from the database, so a revoked credential is never accepted.
"""
from __future__ import annotations

import logging
import threading
import uuid
from time import monotonic
from typing import Any

from flask import current_app

from app.core.db import after_commit

logger = logging.getLogger(__name__)

EXTENSION = "motcua.credentials"
RETRY_AFTER_SECONDS = 5.0  # after a failed Redis call, stay on the database for this long (no timeout per request)


class CredentialsStamp:
    """Read and move the shared stamp. The value is random, never a counter that a Redis restart could replay."""

    def __init__(self, url: str | None, key: str, timeout: float = 0.25) -> None:
        self.key = key
        self._client = _client(url, timeout) if url else None
        self._down_until = 0.0
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self._client is not None

    def current(self) -> str | None:
        """The stamp now, or None when unknown (no Redis configured, or unreachable)."""
        if self._client is None or monotonic() < self._down_until:
            return None
        try:
            value = self._client.get(self.key)
            if value is None:  # first use, or Redis restarted empty: start a new generation
                self._client.set(self.key, uuid.uuid4().hex, nx=True)
                value = self._client.get(self.key)
        except Exception as error:  # noqa: BLE001 - any Redis failure means: do not trust caches
            self._unreachable(error)
            return None
        return value.decode() if isinstance(value, bytes) else value

    def move(self) -> bool:
        """Start a new generation now; False when Redis could not be told (caches then expire by their TTL)."""
        if self._client is None:
            return False
        try:
            self._client.set(self.key, uuid.uuid4().hex)
            return True
        except Exception as error:  # noqa: BLE001
            self._unreachable(error)
            logger.error("Credentials stamp not moved (%s): other workers keep cached callers until their TTL", error)
            return False

    def _unreachable(self, error: Exception) -> None:
        with self._lock:
            if monotonic() >= self._down_until:
                logger.warning("Redis unreachable for the credentials stamp (%s); caches bypassed for %.0f s",
                               error, RETRY_AFTER_SECONDS)
            self._down_until = monotonic() + RETRY_AFTER_SECONDS


def _client(url: str, timeout: float) -> Any:
    import redis

    return redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)


def stamp() -> CredentialsStamp:
    """This app's stamp (built on first use from REDIS_URL)."""
    found = current_app.extensions.get(EXTENSION)
    if found is None:
        prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "motcua")
        found = CredentialsStamp(current_app.config.get("REDIS_URL"), f"{prefix}:credentials:stamp")
        current_app.extensions[EXTENSION] = found
    return found


def withdraw_credentials() -> None:
    """A credential or permission was withdrawn in this unit of work: move the stamp once it commits (before the
    commit, another worker could cache the caller again from the not yet changed rows)."""
    current = stamp()
    if current.enabled:
        after_commit(current.move)
