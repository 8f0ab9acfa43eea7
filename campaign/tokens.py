"""Short signed tokens for links in messages: one UUID and one letter, with a MAC.

A text message has little room, and a link in it must survive being retyped from a screen, so
these are 39 URL-safe characters instead of a signed JSON blob: 22 for the UUID, 1 for the
letter, 16 for a 96-bit HMAC keyed by SECRET_KEY and a per-use salt. They do not expire: what
they allow is checked against the current state of what they name when they are used.
"""

import base64
import uuid

from django.core.signing import BadSignature
from django.utils.crypto import constant_time_compare, salted_hmac

_UUID_CHARS, _MAC_CHARS = 22, 16
LENGTH = _UUID_CHARS + 1 + _MAC_CHARS


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _mac(salt: str, body: str) -> str:
    return _b64(salted_hmac(salt, body, algorithm="sha256").digest()[:12])


def make_token(*, salt: str, code: uuid.UUID | str, letter: str) -> str:
    if len(letter) != 1 or not letter.isalnum():
        raise ValueError("letter must be one letter or digit")
    body = _b64(uuid.UUID(str(code)).bytes) + letter
    return body + _mac(salt, body)


def read_token(*, salt: str, token: str) -> tuple[uuid.UUID, str]:
    """(code, letter); raises BadSignature for anything forged, altered or malformed."""
    if len(token) != LENGTH:
        raise BadSignature("wrong length")
    body, mac = token[: _UUID_CHARS + 1], token[_UUID_CHARS + 1 :]
    if not constant_time_compare(mac, _mac(salt, body)):
        raise BadSignature("bad signature")
    try:
        code = uuid.UUID(bytes=base64.urlsafe_b64decode(body[:_UUID_CHARS] + "=="))
    except ValueError as exc:
        raise BadSignature("malformed") from exc
    return code, body[-1]
