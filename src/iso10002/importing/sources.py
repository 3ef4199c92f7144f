"""
Reading import files a record at a time: CSV with a header row, a JSON array of objects, or
JSON Lines; every cell as text.

A file that cannot be read as a whole (not UTF-8 text, a binary file, no header, JSON that
does not parse) raises :class:`~iso10002.errors.ImportFileError` when it is opened, before
any record is read. A record that cannot be read on its own (a JSON Lines line that does not
parse, a CSV line with more cells than the header) comes out as a
:class:`~iso10002.importing.report.RowError` in its place, and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import io
import os
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO

from iso10002.errors import ImportFileError, SerializationError
from iso10002.importing.report import RowError
from iso10002.model._checks import shown
from iso10002.serialization import parse_json

__all__ = ["CsvRows", "JsonRows", "Row", "Rows", "cells_of"]

Row = tuple[int, "dict[str, str] | RowError"]
"""A record's location (see :class:`RowError`) and its cells by column, or why it is unreadable."""

_CHUNK = 1 << 20


def _check_text(path: Path) -> int:
    """
    The file's size, once it is known to be UTF-8 text without NUL bytes.

    Checked up front, in one pass that costs far less than the import, so that a file that
    is not text fails before anything is written rather than part-way through.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            nul = chunk.find(b"\0")
            if nul >= 0:
                raise ImportFileError(
                    str(path), f"holds a NUL byte at byte {offset + nul}: a binary file, not text"
                )
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as e:
                raise ImportFileError(
                    str(path), f"is not UTF-8 text (byte {offset + e.start}): {e.reason}"
                ) from e
            offset += len(chunk)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as e:
            raise ImportFileError(str(path), "is not UTF-8 text: it ends inside a character") from e
    return offset


class _File:
    """An open text file and how much of it has been read, for progress reports."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.size = _check_text(self.path)
        self._raw: BinaryIO = self.path.open("rb")
        # utf-8-sig drops the byte-order mark that spreadsheet programs write.
        self.text = io.TextIOWrapper(self._raw, encoding="utf-8-sig", newline="")

    def fraction(self) -> float | None:
        """How much of the file has been read, from 0 to 1 (to the nearest buffer)."""
        if self.size == 0 or self._raw.closed:
            return None
        return min(1.0, self._raw.tell() / self.size)

    def close(self) -> None:
        self.text.close()


class Rows:
    """The records of an input, with their locations; close it when done (or use ``with``)."""

    columns: tuple[str, ...] | None
    """The CSV header, or the keys of a JSON input's first record; ``None`` if unknown."""
    name: str
    """The input, for messages: the file's path."""

    def __iter__(self) -> Iterator[Row]:
        raise NotImplementedError  # pragma: no cover

    def fraction(self) -> float | None:
        """How much of the input has been read, from 0 to 1, if known."""
        return None

    def close(self) -> None:
        """Release the file."""

    def __enter__(self) -> Rows:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class CsvRows(Rows):
    """
    A CSV file with a header row: each record as ``{header: cell}``.

    A record shorter than the header (an export whose last line lost its trailing empty
    cell) has blank cells for the missing columns; blank lines are skipped. Header names are
    stripped of surrounding spaces.

    Raises:
        ImportFileError: the file is not UTF-8 text, is empty, repeats a header name, or has
            a cell longer than the :mod:`csv` module's field size limit.
        OSError: the file cannot be read.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = str(path)
        self._file = _File(path)
        try:
            self._reader = csv.reader(self._file.text, strict=False)
            header = self._header()
            self._scan(Path(path))
        except BaseException:
            self._file.close()
            raise
        self.columns = header

    def _scan(self, path: Path) -> None:
        """
        Read the whole file as CSV once before any record is used, so that a file the csv
        module cannot read (a cell longer than its field size limit) is refused before
        anything is written; it costs a small fraction of the import.
        """
        with path.open(encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f, strict=False)
            try:
                for _ in reader:
                    pass
            except csv.Error as e:
                raise ImportFileError(self.name, f"line {reader.line_num}: {e}") from e

    def _header(self) -> tuple[str, ...]:
        try:
            for cells in self._reader:
                if any(c.strip() for c in cells):
                    break
            else:
                raise ImportFileError(self.name, "is empty: a CSV file starts with a header row")
        except csv.Error as e:
            raise ImportFileError(self.name, f"line {self._reader.line_num}: {e}") from e
        header = tuple(c.strip() for c in cells)
        seen: set[str] = set()
        for name in header:
            if name and name in seen:
                raise ImportFileError(self.name, f"the header names column {shown(name)} twice")
            seen.add(name)
        return header

    def __iter__(self) -> Iterator[Row]:
        header = self.columns
        assert header is not None
        width = len(header)
        reader = self._reader
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                raise ImportFileError(self.name, f"line {start}: {e}") from e
            row, start = start, reader.line_num + 1
            if not any(c.strip() for c in cells):
                continue  # a blank line, or one of empty cells only
            if len(cells) == width:
                yield row, dict(zip(header, cells, strict=True))
            elif len(cells) < width:
                cells += [""] * (width - len(cells))
                yield row, dict(zip(header, cells, strict=True))
            elif any(c.strip() for c in cells[width:]):
                yield (
                    row,
                    RowError(
                        row=row,
                        column=None,
                        value=None,
                        message=f"has {len(cells)} cells, but the header names {width} columns",
                    ),
                )
            else:  # trailing empty cells, e.g. a comma at the end of each line
                yield row, dict(zip(header, cells[:width], strict=True))

    def fraction(self) -> float | None:
        """How much of the file has been read, from 0 to 1."""
        return self._file.fraction()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def _json(text: str) -> Any:
    # Numbers are kept as the text they were written as: an amount must not pass through a
    # float, and every cell is text anyway.
    try:
        return parse_json(text, numbers_as_text=True)
    except SerializationError as e:
        # The import's messages name the file and line themselves: only the parser's reason.
        if isinstance(e.__cause__, RecursionError):
            # Arrays nested thousands deep exhaust the parser's stack; no record is shaped so.
            raise ValueError("arrays or objects are nested too deeply") from None
        raise ValueError(str(e.__cause__)) from e.__cause__


def cells_of(row: int, record: object) -> dict[str, str] | RowError:
    """
    A JSON object (or a mapping given in Python) as text cells: strings as they are, numbers
    as written (a Python float in its shortest form), ``true``/``false``, and ``null``
    (``None``) as a blank cell.
    """
    if not isinstance(record, Mapping):
        kind = "an array" if isinstance(record, list) else type(record).__name__
        return RowError(row=row, column=None, value=None, message=f"is {kind}, not an object")
    cells: dict[str, str] = {}
    for key, value in record.items():
        if isinstance(value, str):
            cells[key] = value
        elif value is None:
            cells[key] = ""
        elif isinstance(value, bool):
            cells[key] = "true" if value else "false"
        elif isinstance(value, (int, float, Decimal)):
            # A float given in Python reads as its shortest form: 12.5, not 12.4999...
            cells[key] = repr(value) if isinstance(value, float) else str(value)
        else:
            kind = (
                "an object"
                if isinstance(value, Mapping)
                else "an array"
                if isinstance(value, list)
                else type(value).__name__
            )
            return RowError(
                row=row,
                column=str(key),
                value=None,
                message=f"holds {kind}; expected text, a number, true, false or null",
            )
    return cells


class JsonRows(Rows):
    """
    A JSON file: an array of objects (read whole), or JSON Lines (one object per line, read
    a line at a time). Each object's values become text cells (see :func:`cells_of`).

    Raises:
        ImportFileError: the file is not UTF-8 text, is empty, does not start like JSON, or
            (an array) does not parse.
        OSError: the file cannot be read.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.name = str(path)
        self._file = _File(path)
        try:
            self._start()
        except BaseException:
            self._file.close()
            raise

    def _start(self) -> None:
        text = self._file.text
        first = ""
        self._skipped_lines = 0  # blank lines before the first record, for line numbers
        while ch := text.read(1):
            if not ch.isspace():
                first = ch
                break
            if ch == "\n":
                self._skipped_lines += 1
        self._items: list[Any] | None = None
        self._first_line: str | None = None
        if first == "[":
            try:
                data = _json(first + text.read())
            except ValueError as e:
                raise ImportFileError(self.name, f"is not valid JSON: {e}") from e
            self._items = data
            head = data[0] if data else None
        elif first == "{":
            self._first_line = first + text.readline()
            try:
                head = _json(self._first_line)
            except ValueError:
                head = None
        elif first:
            raise ImportFileError(
                self.name,
                f"is not JSON: it starts with {first!r}, where an array '[' or, in JSON "
                "Lines, an object '{' should be",
            )
        else:
            raise ImportFileError(self.name, "is empty: expected a JSON array or JSON Lines")
        self.columns = tuple(str(k) for k in head) if isinstance(head, dict) else None

    def __iter__(self) -> Iterator[Row]:
        if self._items is not None:
            for index, item in enumerate(self._items):
                yield index, cells_of(index, item)
            return
        assert self._first_line is not None
        yield from self._lines(self._skipped_lines, _chain(self._first_line, self._file.text))

    @staticmethod
    def _lines(line_number: int, lines: Iterable[str]) -> Iterator[Row]:
        for line in lines:
            line_number += 1
            if not line.strip():
                continue
            try:
                item = _json(line)
            except ValueError as e:
                yield (
                    line_number,
                    RowError(
                        row=line_number, column=None, value=None, message=f"is not valid JSON: {e}"
                    ),
                )
                continue
            yield line_number, cells_of(line_number, item)

    def fraction(self) -> float | None:
        """How much of the file has been read, from 0 to 1."""
        return self._file.fraction()

    def close(self) -> None:
        """Close the file."""
        self._file.close()


def _chain(first: str, rest: Iterable[str]) -> Iterator[str]:
    yield first
    yield from rest
