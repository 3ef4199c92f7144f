"""
The library's exceptions, all rooted at :class:`Iso10002Error`.

::

    Iso10002Error
    ├── ValidationError (ValueError)          a value or record is not acceptable
    │   └── NaiveDatetimeError                a datetime without a time zone
    ├── DefinitionError                       a workflow definition is inconsistent
    ├── CommandRejected                       a command may not run now
    │   ├── InvalidTransition                 the command is not allowed in this state
    │   ├── GuardFailed                       a named guard of the workflow said no
    │   ├── UnknownCommand                    the workflow has no such command
    │   └── WorkflowUnavailable               the desk cannot run the complaint's workflow
    ├── ComplaintNotFound (KeyError)          no complaint with that id or reference
    ├── PermissionDenied                      the access policy refused an actor an action
    ├── StorageError                          the store could not do what was asked
    │   ├── ConcurrencyConflict               the stream moved on since it was read
    │   ├── DuplicateKeyError                 a reference or client key is taken
    │   │   └── ClientKeyReused                   one client key, two different complaints
    │   ├── CorruptRecord                     a stored row cannot be read back
    │   ├── SchemaVersionError                the database schema is unknown to this version
    │   ├── StoreClosedError                  the store was used after close()
    │   └── BatchFlushError                   a batch of buffered appends was not written
    ├── SerializationError (ValueError)       JSON that does not match the schema
    ├── DeliveryError                         a notification was not delivered (retryable or not)
    └── ImportFileError (ValueError)          a file to import has the wrong kind or layout

Every message names what it is about: the complaint reference, the command, the state, and what
would have been allowed. Messages about notifications name the notification's idempotency key and
complaint reference, never its recipient or content, which are personal data.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "BatchFlushError",
    "ClientKeyReused",
    "CommandRejected",
    "ComplaintNotFound",
    "ConcurrencyConflict",
    "CorruptRecord",
    "DefinitionError",
    "DeliveryError",
    "DuplicateKeyError",
    "GuardFailed",
    "ImportFileError",
    "InvalidTransition",
    "Iso10002Error",
    "NaiveDatetimeError",
    "PermissionDenied",
    "SchemaVersionError",
    "SerializationError",
    "StorageError",
    "StoreClosedError",
    "UnknownCommand",
    "ValidationError",
    "WorkflowUnavailable",
]


class Iso10002Error(Exception):
    """Root of every exception this library raises on purpose."""


class ValidationError(Iso10002Error, ValueError):
    """
    A value given to the library is not acceptable.

    ``field`` names the offending field (dotted for nested values) so that a user interface can
    point at it.
    """

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.reason = message
        super().__init__(f"{field}: {message}")


class NaiveDatetimeError(ValidationError):
    """A datetime without time zone information was given where an instant is needed."""

    def __init__(self, field: str) -> None:
        super().__init__(field, "datetime must be timezone-aware (got a naive datetime)")


class DefinitionError(Iso10002Error):
    """A workflow definition is inconsistent; raised when the workflow is built."""


class CommandRejected(Iso10002Error):
    """A command was refused for a complaint; nothing was written."""

    def __init__(self, message: str, *, command: str, reference: str | None, state: str) -> None:
        self.command = command
        self.reference = reference
        self.state = state
        super().__init__(message)


def _describe(reference: str | None) -> str:
    return f"complaint {reference}" if reference else "a new complaint"


class InvalidTransition(CommandRejected):
    """The command is not allowed in the complaint's current state."""

    def __init__(
        self, *, command: str, reference: str | None, state: str, allowed: Iterable[str]
    ) -> None:
        self.allowed = tuple(sorted(allowed))
        allowed_text = ", ".join(self.allowed) or "none"
        super().__init__(
            f"{command!r} is not allowed for {_describe(reference)} in state {state!r}; "
            f"allowed commands: {allowed_text}",
            command=command,
            reference=reference,
            state=state,
        )


class GuardFailed(CommandRejected):
    """A named guard of the workflow refused the command."""

    def __init__(
        self, *, command: str, reference: str | None, state: str, guard: str, reason: str
    ) -> None:
        self.guard = guard
        self.reason = reason
        super().__init__(
            f"{command!r} refused for {_describe(reference)} in state {state!r} "
            f"by guard {guard!r}: {reason}",
            command=command,
            reference=reference,
            state=state,
        )


class UnknownCommand(CommandRejected):
    """The workflow declares no command of that name."""

    def __init__(self, *, command: str, reference: str | None, state: str) -> None:
        super().__init__(
            f"the workflow has no command {command!r} ({_describe(reference)}, state {state!r})",
            command=command,
            reference=reference,
            state=state,
        )


class WorkflowUnavailable(CommandRejected):
    """
    The complaint is handled under a recorded workflow that the desk cannot run: not the
    desk's own, not among the earlier workflows it was given, and not one its record rebuilds
    (guards or step data written in Python, or no record kept). Nothing was written.

    ``fingerprint`` is the recorded workflow's; ``workflow`` and ``version`` its name and
    version as recorded (None when no record names them); ``why`` says why it cannot be run.
    The message names the two ways out: give the desk that workflow (``workflows=``), or move
    the complaint to the desk's workflow (``reapply_configuration``).
    """

    def __init__(
        self,
        *,
        command: str,
        reference: str,
        state: str,
        fingerprint: str,
        workflow: str | None,
        version: str | None,
        why: str,
    ) -> None:
        self.fingerprint = fingerprint
        self.workflow = workflow
        self.version = version
        self.why = why
        named = (
            f"the workflow {workflow!r} (version {version}, {fingerprint})"
            if workflow is not None
            else f"the workflow recorded as {fingerprint}"
        )
        super().__init__(
            f"{command!r} is refused for complaint {reference}: it is handled under {named}, "
            f"which this desk cannot run ({why}); give the desk that workflow "
            "(ComplaintDesk(..., workflows=[...])), or move the complaint to the desk's "
            "workflow with reapply_configuration",
            command=command,
            reference=reference,
            state=state,
        )


class ComplaintNotFound(Iso10002Error, KeyError):
    """No complaint has the given id, reference or client key."""

    def __init__(self, key: object) -> None:
        self.key = key
        super().__init__(f"no complaint found for {key}")

    def __str__(self) -> str:
        # KeyError quotes its argument; a plain sentence reads better in a CLI.
        return str(self.args[0])


class PermissionDenied(Iso10002Error):
    """
    The access policy refused an actor a command or a query; nothing was written, and the
    denial was recorded in the desk's access log.

    The message names the actor's id and role, the action and the complaint's reference, never
    personal data: no names, no contact details, no content of the complaint. ``actor_id`` and
    ``role`` are ``None`` when no actor was given.
    """

    def __init__(
        self,
        *,
        actor_id: str | None,
        role: str | None,
        action: str,
        reference: str | None,
        reason: str,
    ) -> None:
        self.actor_id = actor_id
        self.role = role
        self.action = action
        self.reference = reference
        self.reason = reason
        who = "a caller without an actor" if actor_id is None else f"actor {actor_id!r} ({role})"
        about = f" on complaint {reference}" if reference else ""
        super().__init__(f"{who} may not {action}{about}: {reason}")


class StorageError(Iso10002Error):
    """The store failed to do what was asked; the driver's exception is the ``__cause__``."""


class ConcurrencyConflict(StorageError):
    """Another writer appended to the complaint since it was read; reload and try again."""

    def __init__(self, *, complaint: str, expected_version: int, actual_version: int) -> None:
        self.complaint = complaint
        self.expected_version = expected_version
        self.actual_version = actual_version
        super().__init__(
            f"complaint {complaint}: expected version {expected_version}, "
            f"but the stored version is {actual_version}"
        )


class DuplicateKeyError(StorageError):
    """A unique key (reference or client key) is already used by another complaint."""

    def __init__(self, key: str, value: str) -> None:
        self.key = key
        self.value = value
        super().__init__(f"{key} {value!r} is already used by another complaint")


class ClientKeyReused(DuplicateKeyError):
    """
    A complaint was received with a client key already used for a complaint with different
    content: not a retry of the same submission, so nothing was recorded.

    The message names the key, the complaint already recorded under it and the fields that
    differ, never their content.
    """

    def __init__(self, *, client_key: str, reference: str, fields: Iterable[str]) -> None:
        super().__init__("client key", client_key)
        self.client_key = client_key
        self.reference = reference
        self.fields = tuple(fields)
        message = (
            f"client key {client_key!r} was used for complaint {reference} with different "
            f"content ({', '.join(self.fields)}); a retry sends the same complaint again, a "
            "new complaint needs a new key"
        )
        self.args = (message,)


class CorruptRecord(StorageError):
    """A stored event cannot be decoded; names the complaint and the sequence number."""

    def __init__(self, *, complaint: str, seq: int, reason: str) -> None:
        self.complaint = complaint
        self.seq = seq
        self.reason = reason
        super().__init__(f"complaint {complaint}, event seq {seq} is corrupt: {reason}")


class SchemaVersionError(StorageError):
    """The database was written by a schema version this library does not know."""


class StoreClosedError(StorageError):
    """The store was used after it was closed."""


class BatchFlushError(StorageError):
    """
    A batch of buffered appends (:class:`~iso10002.storage.batch.BatchingStore`) could not be
    written: nothing of it was, and the buffer is dropped. Names the append at fault, when one
    is, by its place in the batch and its complaint's reference; the store's own error is the
    ``__cause__`` and :attr:`error`.

    It is not a :class:`ConcurrencyConflict` even when the store reported one: the batch held
    other commands' events, so retrying the command that happened to flush would not be enough.
    """

    def __init__(
        self, *, error: Exception, size: int, index: int | None, complaint: str | None
    ) -> None:
        self.error = error
        self.size = size
        self.index = index
        self.complaint = complaint
        where = (
            "the database failed"
            if index is None
            else f"append {index + 1} of {size} (complaint {complaint}) was refused"
        )
        super().__init__(f"a batch of {size} appends was not written, {where}: {error}")


class SerializationError(Iso10002Error, ValueError):
    """JSON that does not match the expected schema; ``path`` points at the bad value."""

    def __init__(self, message: str, *, path: str = "$") -> None:
        self.path = path
        super().__init__(message)


class DeliveryError(Iso10002Error):
    """
    A notifier could not deliver a notification.

    ``retryable`` tells a dispatcher what to do next: ``True`` for a temporary failure
    (connection refused, timeout, SMTP 4xx, HTTP 408, 429 and 5xx), where sending the same
    notification again later may succeed; ``False`` for a permanent one (SMTP 5xx, other HTTP
    4xx), where it will not. ``status`` is the protocol's code when there was one, e.g.
    ``"SMTP 550 5.1.1"`` or ``"HTTP 503"``.

    The message names the notification by its idempotency key and complaint reference only: never
    the recipient, the subject or the body, and never a server's reply text (which often quotes
    the address back).
    """

    def __init__(
        self,
        reason: str,
        *,
        idempotency_key: str,
        complaint_reference: str | None,
        channel: str,
        retryable: bool,
        status: str | None = None,
    ) -> None:
        self.reason = reason
        self.idempotency_key = idempotency_key
        self.complaint_reference = complaint_reference
        self.channel = channel
        self.retryable = retryable
        self.status = status
        about = f" for complaint {complaint_reference}" if complaint_reference else ""
        kind = "temporary failure, retry later" if retryable else "permanent failure"
        code = f" [{status}]" if status else ""
        super().__init__(
            f"notification {idempotency_key!r}{about} not delivered by {channel}"
            f" ({kind}){code}: {reason}"
        )


class ImportFileError(Iso10002Error, ValueError):
    """
    A file given to an importer cannot be imported as a whole: it is not CSV or JSON text, it
    lacks a column the import needs, or its layout is unknown. Raised before anything is
    written; ``path`` names the file, and the message says what is wrong with it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
