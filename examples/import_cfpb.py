"""
Import real complaints from the US CFPB Consumer Complaint Database into a SQLite file, in
both export layouts, then count them the way monitoring would.

Run from anywhere: ``python examples/import_cfpb.py``. It writes ``cfpb.db`` in the current
directory and reads the samples shipped with the tests.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from iso10002.importing import ImportReport, import_cfpb
from iso10002.storage.base import ComplaintQuery, iter_summaries
from iso10002.storage.sqlite import SQLiteEventStore

SAMPLES = Path(__file__).resolve().parent.parent / "tests" / "data" / "cfpb"


def show(name: str, report: ImportReport, seconds: float) -> None:
    print(f"{name}: {report.summary()} in {seconds:.2f} s")
    for error in report.failed:
        print(f"  {error}")


def main() -> None:
    database = Path("cfpb.db")
    with SQLiteEventStore(database, synchronous="NORMAL") as store:
        for name, limit in (
            ("complaints-2014-layout-part1.csv", None),
            ("complaints-2015-2020-part1.csv", 1000),  # the first 1,000 of 3,000 rows
        ):
            started = time.perf_counter()
            report = import_cfpb(store, SAMPLES / name, limit=limit)
            show(name, report, time.perf_counter() - started)

        # Running it again adds nothing: every record is already there.
        again = import_cfpb(store, SAMPLES / "complaints-2014-layout-part1.csv")
        assert (again.imported, again.skipped) == (0, again.read)
        print(f"again: {again.summary()}")

        outcomes: Counter[str] = Counter()
        for summary in iter_summaries(store, ComplaintQuery()):
            facts = summary.facts
            assert facts.source == "cfpb"
            assert not facts.timed  # dates only: no durations are measured from them
            if summary.is_open:
                outcomes["still open at the source"] += 1
            else:
                outcomes[facts.outcome.value if facts.outcome else "closed, no outcome"] += 1
        print("by outcome:")
        for outcome, count in outcomes.most_common():
            print(f"  {outcome:<26} {count:>5}")


if __name__ == "__main__":
    main()
