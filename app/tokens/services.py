"""Create, list, revoke and authenticate personal API tokens; each runs inside the caller's unit of work."""
from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import User
from app.core.credentials import stamp, withdraw_credentials
from app.core.db import utcnow
from app.core.errors import NotFoundError, ValidationError
from app.extensions import db
from app.tokens.cache import attach, token_cache
from app.tokens.models import ApiToken, IdempotencyKey

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "mc_"  # noqa: S105 - a marker, not a secret
PREFIX_LENGTH = 10
MAX_NAME_LENGTH = 100
IDEMPOTENCY_RETENTION = timedelta(hours=24)  # stored responses (they hold lookup PINs) are short-lived
LAST_USED_RESOLUTION = timedelta(minutes=5)  # bounded writes: at most one per token per 5 minutes


def digest(raw: str) -> str:
    """sha256 of the token text: what the database keeps."""
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _check_owner(actor: User | None, user: User) -> None:
    """The owner, the operator CLI (None) or an admin who manages every role of the owner."""
    from app.auth.scope import can_manage_user

    if actor is not None and actor.id != user.id and not (actor.has_role("admin") and can_manage_user(actor, user)):
        raise NotFoundError("Không tìm thấy mã truy cập.", "Token not found.")


def create_token(actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Issue a token for `user`; the plain text is returned once and never stored."""
    _check_owner(actor, user)
    name = (name or "").strip()
    if not name or len(name) > MAX_NAME_LENGTH:
        raise ValidationError("Tên mã truy cập là bắt buộc (tối đa 100 ký tự).",
                              "A token name is required (at most 100 characters).",
                              details={"errors": {"name": ["Tên không hợp lệ / invalid name"]}})
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(user_id=user.id, name=name, token_hash=digest(raw), prefix=raw[:PREFIX_LENGTH])
    db.session.add(token)
    db.session.flush()
    logger.info("API token %s (%s) created for %s", token.id, token.prefix, user.username)
    return token, raw


def list_tokens(user: User) -> list[ApiToken]:
    return list(db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                   .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())))


def revoke_token(actor: User | None, user: User, token_id: int) -> ApiToken:
    """Revoke one of `user`'s tokens at once; revoking twice is harmless."""
    _check_owner(actor, user)
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFoundError("Không tìm thấy mã truy cập.", "Token not found.")
    token.revoked_at = token.revoked_at or utcnow()
    withdraw_credentials()  # every worker drops its cached tokens once this commits
    logger.info("API token %s (%s) revoked by %s", token.id, token.prefix, getattr(actor, "username", "system"))
    return token


def find_token(raw: str) -> ApiToken | None:
    """The active token matching `raw` whose owner is enabled, else None (disabling a user stops its tokens)."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == digest(raw), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).joinedload(User.roles)))  # one round trip per API request
    if token is None or not token.user.is_enabled:
        return None
    return token


@dataclass(frozen=True)
class Caller:
    """The owner of a valid token, attached to the request's session, and the token's id and last use."""

    user: User
    token_id: int
    last_used_at: datetime | None
    digest: str

    @property
    def needs_touch(self) -> bool:
        return self.last_used_at is None or utcnow() - self.last_used_at > LAST_USED_RESOLUTION


def authenticate_token(raw: str) -> Caller | None:
    """The caller of a valid, active token whose owner is enabled; from this worker's short-lived cache while the
    shared credentials stamp says nothing was withdrawn since (app.tokens.cache), else from the database."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    key, current = digest(raw), stamp().current()  # the stamp is read before the database, never after
    cache = token_cache()
    entry = cache.get(key, current) if current is not None else None
    if entry is not None:
        return Caller(attach(entry, db.session), entry.token_id, entry.last_used_at, key)
    token = find_token(raw)
    if token is None:
        return None
    if current is not None:
        cache.put(key, token, current)
    return Caller(token.user, token.id, token.last_used_at, key)


def touch(caller: Caller) -> None:
    """Record the token's use (coarse, so busy integrations do not write on every request)."""
    at = utcnow()
    db.session.execute(update(ApiToken).where(ApiToken.id == caller.token_id).values(last_used_at=at)
                       .execution_options(synchronize_session=False))
    token_cache().touched(caller.digest, at)


def purge_idempotency_keys(older_than: timedelta = IDEMPOTENCY_RETENTION) -> int:
    """Forget stored API responses older than `older_than`; a later retry with the key acts again."""
    result = db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < utcnow() - older_than))
    return result.rowcount or 0
