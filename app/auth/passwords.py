"""argon2id password hashing (argon2-cffi), with transparent rehash when parameters change."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Return an argon2id hash of `password`."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Check `password` against the stored hash without leaking why it failed."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


# --- policy -----------------------------------------------------------------------------------

MIN_LENGTH = 10
MAX_LENGTH = 128  # argon2 copes with more, but zxcvbn's cost grows with length
MIN_STRENGTH = 3  # zxcvbn score 0-4: 3 = "safely unguessable" (about 10^8 guesses or more)


@lru_cache(maxsize=1)
def _vietnamese_words() -> tuple[str, ...]:
    """Common Vietnamese password words (data/common_vi.txt): zxcvbn's lists are English-centred."""
    lines = (Path(__file__).with_name("data") / "common_vi.txt").read_text(encoding="utf-8").splitlines()
    return tuple(dict.fromkeys(line.strip() for line in lines if line.strip() and not line.startswith("#")))


def _folded_words(text: str) -> list[str]:
    """The words of a name without diacritics (Nguyễn Văn An → nguyen, van, an, nguyenvanan)."""
    from unidecode import unidecode

    words = unidecode(text or "").lower().split()
    return words + ["".join(words)] if words else []


def password_problems(password: str, *, username: str = "", full_name: str = "") -> list[tuple[str, str]]:
    """(Vietnamese, English) reasons why `password` is refused; empty when it is acceptable.

    zxcvbn (Dropbox's estimator) ships the common-password and word lists, so `12345678`, `password1` or
    keyboard walks score 0-1 and are refused without a list of our own.
    """
    from zxcvbn import zxcvbn

    if len(password) < MIN_LENGTH:
        return [(f"Mật khẩu phải có ít nhất {MIN_LENGTH} ký tự.",
                 f"Password must be at least {MIN_LENGTH} characters.")]
    if len(password) > MAX_LENGTH:
        return [(f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự.", f"Password must be at most {MAX_LENGTH} characters.")]
    name = username.strip().lower()
    if len(name) >= 3 and name in password.lower():
        return [("Mật khẩu không được chứa tên đăng nhập.", "Password must not contain the username.")]
    hints = [name, *_folded_words(full_name), *_vietnamese_words()]
    if zxcvbn(password, user_inputs=[h for h in hints if h])["score"] < MIN_STRENGTH:
        return [("Mật khẩu quá phổ biến hoặc dễ đoán; hãy dùng một cụm từ dài hơn, ít gặp hơn.",
                 "Password is too common or easy to guess; use a longer, less common phrase.")]
    return []
