"""
What every contract suite shares: collected only in subclasses that implement the suite's hook,
and, for the store suites, a fresh store per test.
"""

from __future__ import annotations

import abc
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

import pytest

from iso10002.model.values import ComplaintId
from iso10002.ports.store import EventStore

S = TypeVar("S", bound=EventStore)

__all__ = ["Contract", "StoreContract", "version_of"]


class Contract(abc.ABC):
    """
    A contract as pytest tests, with one abstract method, the hook, that says how to build
    what is under test.

    A subclass that implements the hook is collected by pytest whatever its name; the contract
    itself is not. Extra tests for one implementation go into the subclass; a test that does
    not apply can be overridden there (say why in its docstring).
    """

    __test__: ClassVar[bool] = False
    contract_hook: ClassVar[str]
    """The name of the method a subclass implements to have the contract collected."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "__test__" not in cls.__dict__:
            hook = getattr(cls, cls.contract_hook)
            cls.__test__ = not getattr(hook, "__isabstractmethod__", False)


class StoreContract(Contract, Generic[S]):
    """A store contract as pytest tests; subclass it and implement :meth:`make_store`."""

    contract_hook: ClassVar[str] = "make_store"

    @abc.abstractmethod
    def make_store(self, tmp_path: Path) -> S:
        """
        Return a new, empty store; ``tmp_path`` is a fresh directory it may keep files in.

        The contract closes the store after each test.
        """

    @pytest.fixture
    def store(self, tmp_path: Path) -> Iterator[S]:
        """The store under test, closed afterwards."""
        store = self.make_store(tmp_path)
        try:
            yield store
        finally:
            store.close()


def version_of(store: EventStore, complaint_id: ComplaintId) -> int:
    """The complaint's last sequence number as the store reads it back, 0 if it has none."""
    events = store.read(complaint_id)
    return events[-1].seq if events else 0
