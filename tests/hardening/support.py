"""
Strategies and checks shared by the hardening tests: random JSON, mutations of a valid record,
character-level mutations of a valid file, and the contract every reader keeps.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import strategies as st

from iso10002.errors import Iso10002Error

T = TypeVar("T")

# Scalars that sit at the edges of what the converter reads: nearly-valid instants, durations,
# decimals and identifiers, huge numbers, control characters and lone surrogates.
AWKWARD: st.SearchStrategy[Any] = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "\ud800",
        "2026-03-02",
        "2026-03-02T09:00:00",
        "2026-03-02T09:00:00+00:00",
        "2026-03-02T09:00:00+25:00",
        "2026-13-45T25:61:00Z",
        "9999-12-31T23:59:59+00:00",
        "0001-01-01T00:00:00-23:59",
        "P",
        "P1D",
        "PT-1S",
        "P999999999999D",
        "NaN",
        "-0",
        "1e999",
        "9" * 40,
        "00000000-0000-0000-0000-000000000000",
        "CMP-2026-000001",
        "email",
        "GBP",
        True,
        False,
        0,
        -1,
        2**63,
        -(2**63) - 1,
        10**40,
        0.5,
        float("nan"),
        float("inf"),
        None,
        [],
        {},
    ]
)

_SCALARS = st.one_of(
    AWKWARD,
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
)

JSON_VALUES: st.SearchStrategy[Any] = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=12,
)
"""Any JSON-shaped value (floats may be NaN or infinite, as Python's JSON reader allows)."""


def _mutate(draw: st.DrawFn, node: Any) -> Any:
    if isinstance(node, dict) and node and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(sorted(node)))
        action = draw(st.sampled_from(["descend", "descend", "delete", "add"]))
        changed = dict(node)
        if action == "descend":
            changed[key] = _mutate(draw, node[key])
        elif action == "delete":
            del changed[key]
        else:
            changed[draw(st.one_of(st.text(max_size=8), st.just(key + "_")))] = draw(JSON_VALUES)
        return changed
    if isinstance(node, list) and node and draw(st.integers(0, 3)) > 0:
        index = draw(st.integers(0, len(node) - 1))
        action = draw(st.sampled_from(["descend", "descend", "delete", "repeat", "swap"]))
        items = list(node)
        if action == "descend":
            items[index] = _mutate(draw, node[index])
        elif action == "delete":
            del items[index]
        elif action == "repeat":
            items.insert(index, node[index])
        else:
            other = draw(st.integers(0, len(node) - 1))
            items[index], items[other] = items[other], items[index]
        return items
    return draw(
        st.one_of(
            JSON_VALUES,
            st.just([node]),
            st.just({"value": node}),
            st.just(str(node)),
        )
    )


@st.composite
def mutated(draw: st.DrawFn, document: Any, *, most: int = 3) -> Any:
    """``document`` with one to ``most`` changes: a value replaced, a key dropped or added."""
    for _ in range(draw(st.integers(1, most))):
        document = _mutate(draw, document)
    return document


@st.composite
def mutated_text(draw: st.DrawFn, text: str, *, most: int = 4) -> str:
    """``text`` with a few characters inserted, deleted or replaced, or a slice cut out."""
    alphabet = st.one_of(
        st.sampled_from(list("[]{}\"'=,:.\n\\#-+0123456789 eE")), st.characters(codec="utf-8")
    )
    for _ in range(draw(st.integers(1, most))):
        at = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "cut"]))
        if action == "insert":
            text = text[:at] + draw(st.text(alphabet=alphabet, min_size=1, max_size=4)) + text[at:]
        elif action == "delete":
            text = text[:at] + text[at + 1 :]
        elif action == "replace":
            text = text[:at] + draw(alphabet) + text[at + 1 :]
        else:
            text = text[:at] + text[draw(st.integers(at, len(text))) :]
    return text


def to_json(data: Any) -> str:
    """JSON text for ``data``, keeping lone surrogates and NaN as the JSON reader accepts them."""
    return json.dumps(data, allow_nan=True)


def refused_or(read: Callable[[], T], *, os_errors: bool = False) -> T | Iso10002Error | OSError:
    """
    The result of ``read()``, or the documented error it raised; any other exception (a crash)
    propagates and fails the test.
    """
    try:
        return read()
    except Iso10002Error as e:
        if not str(e):
            raise AssertionError("a library error must say what is wrong") from e
        return e
    except OSError as e:
        if not os_errors:
            raise
        return e
