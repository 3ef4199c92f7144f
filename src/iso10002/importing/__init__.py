"""
Importing complaints handled elsewhere, with their past dates (ISO 10002 8.4: monitoring
needs the history, not only what was received since the system went live).

Each imported complaint keeps the instants its source gives and is marked as imported
(``ComplaintReceived.source``), so that monitoring can count it by stated rules. Its client
key is ``system:record_id``: importing the same record again adds nothing. A bad record is
reported (:class:`RowError`) and never stops or corrupts the others; a file that cannot be
imported at all raises :class:`~iso10002.errors.ImportFileError` before anything is written.

- :func:`import_cfpb`: the US CFPB Consumer Complaint Database export (both CSV layouts);
- :func:`import_csv`, :func:`import_json` (or :func:`import_file`, by the file's suffix) and
  :func:`import_rows`: any export, read with a :class:`ColumnMapping` (which
  :func:`load_mapping` reads from a TOML or JSON file).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from iso10002.importing.cfpb import CFPB_SYSTEM, CFPB_ZONE, import_cfpb
    from iso10002.importing.generic import import_csv, import_file, import_json, import_rows
    from iso10002.importing.mapping import (
        STATUSES,
        ChannelColumn,
        ColumnMapping,
        OutcomeColumn,
        RemedyColumns,
        SatisfactionColumn,
        StatusColumn,
        TimeColumn,
        load_mapping,
        mapping_from_dict,
        mapping_to_dict,
    )
    from iso10002.importing.report import ImportReport, RowError
    from iso10002.importing.writer import DEFAULT_BATCH_SIZE, Progress
else:
    from iso10002._lazy import attach as _attach

    __getattr__, __dir__ = _attach(__name__, __file__, globals())

__all__ = [
    "CFPB_SYSTEM",
    "CFPB_ZONE",
    "DEFAULT_BATCH_SIZE",
    "STATUSES",
    "ChannelColumn",
    "ColumnMapping",
    "ImportReport",
    "OutcomeColumn",
    "Progress",
    "RemedyColumns",
    "RowError",
    "SatisfactionColumn",
    "StatusColumn",
    "TimeColumn",
    "import_cfpb",
    "import_csv",
    "import_file",
    "import_json",
    "import_rows",
    "load_mapping",
    "mapping_from_dict",
    "mapping_to_dict",
]
