"""How the library's errors map to HTTP status codes, for the pages and any JSON endpoint."""

from __future__ import annotations

from iso10002 import (
    CommandRejected,
    ComplaintNotFound,
    ConcurrencyConflict,
    DuplicateKeyError,
    PermissionDenied,
    StorageError,
    ValidationError,
)

__all__ = ["http_status"]


def http_status(error: BaseException) -> int:
    """
    The status of a response that reports ``error``: 404 not found, 403 refused by the access
    policy, 422 invalid input, 409 refused by the workflow or its guards, a conflict with
    another writer (show the complaint as it is now) or a client key reused with different
    content, 503 the database failed, 500 anything else.
    """
    if isinstance(error, ComplaintNotFound):
        return 404
    if isinstance(error, PermissionDenied):
        return 403
    if isinstance(error, ValidationError):
        return 422
    if isinstance(error, (CommandRejected, ConcurrencyConflict, DuplicateKeyError)):
        return 409
    if isinstance(error, StorageError):
        return 503
    return 500
