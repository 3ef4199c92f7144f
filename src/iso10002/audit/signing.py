"""
Signatures on what an audit produces: the report's sign-off, attestations, an evidence pack's
manifest.

Two algorithms:

- ``hmac-sha256``: a shared secret (a key file of random bytes), with the standard library's
  :mod:`hmac`. Whoever can check the signature can also make one: it shows that the content
  was not changed by anyone without the key.
- ``ed25519``: a private key signs, its public key checks, so an auditor can hand out the
  public key. It needs the ``cryptography`` package (``pip install 'iso10002[signing]'``);
  without it, asking for Ed25519 raises a :class:`~iso10002.errors.ValidationError` that
  says so.

A :class:`Signature` names its algorithm and the key it was made with (``key_id``, a hash that
does not reveal the key), with the signature itself in base64.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from pathlib import Path
from typing import Any

import attrs

from iso10002 import serialization
from iso10002.errors import ValidationError
from iso10002.model import _checks as check

__all__ = [
    "ED25519",
    "HMAC_SHA256",
    "Signature",
    "SigningKey",
    "ed25519_keypair",
    "read_key",
    "signature_from_dict",
    "signature_to_dict",
]

HMAC_SHA256 = "hmac-sha256"
"""The algorithm of a signature made with a shared secret."""

ED25519 = "ed25519"
"""The algorithm of a signature made with an Ed25519 private key."""

_PRIVATE_PEM = b"-----BEGIN PRIVATE KEY-----"
_PUBLIC_PEM = b"-----BEGIN PUBLIC KEY-----"
_NO_CRYPTOGRAPHY = (
    "Ed25519 signatures need the cryptography package, which is not installed "
    "(pip install 'iso10002[signing]')"
)


@attrs.frozen(kw_only=True)
class Signature:
    """A signature of some content: how it was made, with which key, and its value."""

    algorithm: str = attrs.field(validator=lambda _i, _a, v: _algorithm(v))
    key_id: str = attrs.field(validator=check.text)
    """``sha256:`` and the hex digest of the public key (Ed25519) or of an HMAC of a fixed
    text under the secret (HMAC): it tells keys apart without revealing a secret."""
    value: str = attrs.field(validator=check.text)
    """The signature, base64."""


def _algorithm(value: object) -> None:
    if value not in (HMAC_SHA256, ED25519):
        raise ValidationError(
            "algorithm", f"expected {HMAC_SHA256!r} or {ED25519!r}, got {check.shown(value)}"
        )


def _crypto() -> Any:
    try:
        from cryptography.hazmat.primitives import serialization as pem
        from cryptography.hazmat.primitives.asymmetric import ed25519
    except ImportError:
        raise ValidationError("key", _NO_CRYPTOGRAPHY) from None
    return ed25519, pem


@attrs.frozen(eq=False)
class SigningKey:
    """
    A key that checks signatures, and signs when it can: an HMAC secret does both, an Ed25519
    private key does both, an Ed25519 public key only checks. Build one with
    :meth:`hmac_secret`, :meth:`ed25519_private`, :meth:`ed25519_public` or :func:`read_key`.
    """

    algorithm: str
    key_id: str
    _secret: bytes | None = attrs.field(repr=False, default=None)
    _private: Any = attrs.field(repr=False, default=None)
    _public: Any = attrs.field(repr=False, default=None)

    @classmethod
    def hmac_secret(cls, secret: bytes) -> SigningKey:
        """An HMAC-SHA256 key. Raises ValidationError if ``secret`` is shorter than 16 bytes."""
        if len(secret) < 16:
            raise ValidationError("key", f"an HMAC key needs at least 16 bytes, got {len(secret)}")
        tag = hmac.new(secret, b"iso10002 signing key id", hashlib.sha256).hexdigest()
        return cls(HMAC_SHA256, "sha256:" + tag, secret=secret)

    @classmethod
    def ed25519_private(cls, pem: bytes) -> SigningKey:
        """An Ed25519 private key from its PEM (PKCS 8), which signs and checks."""
        ed25519, serialization = _crypto()
        try:
            private = serialization.load_pem_private_key(pem, password=None)
        except (ValueError, TypeError) as e:
            raise ValidationError("key", f"not an unencrypted PEM private key: {e}") from None
        if not isinstance(private, ed25519.Ed25519PrivateKey):
            raise ValidationError("key", "the private key is not an Ed25519 key")
        return cls._ed25519(private.public_key(), private)

    @classmethod
    def ed25519_public(cls, pem: bytes) -> SigningKey:
        """An Ed25519 public key from its PEM, which only checks signatures."""
        ed25519, serialization = _crypto()
        try:
            public = serialization.load_pem_public_key(pem)
        except (ValueError, TypeError) as e:
            raise ValidationError("key", f"not a PEM public key: {e}") from None
        if not isinstance(public, ed25519.Ed25519PublicKey):
            raise ValidationError("key", "the public key is not an Ed25519 key")
        return cls._ed25519(public, None)

    @classmethod
    def _ed25519(cls, public: Any, private: Any) -> SigningKey:
        _, serialization = _crypto()
        raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        key_id = "sha256:" + hashlib.sha256(raw).hexdigest()
        return cls(ED25519, key_id, private=private, public=public)

    @property
    def can_sign(self) -> bool:
        """Whether this key makes signatures (an Ed25519 public key does not)."""
        return self._secret is not None or self._private is not None

    def sign(self, content: bytes) -> Signature:
        """
        The signature of ``content``.

        Raises:
            ValidationError: the key is an Ed25519 public key, which cannot sign.
        """
        if self._secret is not None:
            raw = hmac.new(self._secret, content, hashlib.sha256).digest()
        elif self._private is not None:
            raw = self._private.sign(content)
        else:
            raise ValidationError("key", "an Ed25519 public key checks signatures; it cannot sign")
        return Signature(
            algorithm=self.algorithm,
            key_id=self.key_id,
            value=base64.b64encode(raw).decode("ascii"),
        )

    def check(self, content: bytes, signature: Signature) -> str | None:
        """Why ``signature`` is not this key's signature of ``content``; None if it is."""
        if signature.algorithm != self.algorithm:
            return f"signed with {signature.algorithm}, checked with a {self.algorithm} key"
        if signature.key_id != self.key_id:
            return f"signed with another key ({signature.key_id}, not {self.key_id})"
        try:
            raw = base64.b64decode(signature.value, validate=True)
        except ValueError:
            return "the signature is not base64"
        if self._secret is not None:
            wanted = hmac.new(self._secret, content, hashlib.sha256).digest()
            return None if hmac.compare_digest(raw, wanted) else "the signature does not match"
        try:
            self._public.verify(raw, content)
        except Exception:  # cryptography's InvalidSignature, or a malformed value
            return "the signature does not match"
        return None


def read_key(path: str | Path, *, public: bool = False) -> SigningKey:
    """
    The key in the file at ``path``: an Ed25519 private key (PEM ``PRIVATE KEY``), an Ed25519
    public key (PEM ``PUBLIC KEY``, with ``public``), or else an HMAC secret, the file's bytes
    without surrounding whitespace.

    Raises:
        ValidationError: the file cannot be read, is empty, or holds the wrong kind of key.
    """
    try:
        data = Path(path).read_bytes()
    except OSError as e:
        raise ValidationError("key", f"cannot read {path}: {e.strerror or e}") from None
    stripped = data.strip()
    if not stripped:
        raise ValidationError("key", f"{path} is empty")
    if public:
        if not stripped.startswith(_PUBLIC_PEM):
            raise ValidationError("key", f"{path} is not a PEM public key")
        return SigningKey.ed25519_public(stripped)
    if stripped.startswith(_PUBLIC_PEM):
        raise ValidationError("key", f"{path} is a public key, which cannot sign")
    if stripped.startswith(_PRIVATE_PEM):
        return SigningKey.ed25519_private(stripped)
    return SigningKey.hmac_secret(stripped)


def ed25519_keypair() -> tuple[bytes, bytes]:
    """A new Ed25519 key pair as PEM: ``(private, public)``, the private key unencrypted."""
    ed25519, serialization = _crypto()
    private = ed25519.Ed25519PrivateKey.generate()
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return bytes(private_pem), bytes(public_pem)


def signature_to_dict(signature: Signature) -> dict[str, str]:
    """The signature as JSON data: ``algorithm``, ``key_id``, ``value``."""
    data: dict[str, str] = serialization.unstructure(signature)
    return data


def signature_from_dict(data: object, *, path: str = "$.signature") -> Signature:
    """
    The signature in JSON data written by :func:`signature_to_dict`.

    Raises:
        SerializationError: ``data`` is not such an object (the message names the field).
    """
    return serialization.structure(data, Signature, path=path)
