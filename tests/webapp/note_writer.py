"""
One writer process of the notes test: opens its own store and desk on a SQLite file, as each
process of the web application does, waits for the start signal (a file appearing), then adds
notes to two complaints in turn and prints what it did as JSON: the notes it stored and the
errors that reached it.

Usage: ``python note_writer.py DATABASE GO_FILE WRITER NOTES REFERENCE...``
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from iso10002 import Actor, ComplaintDesk, Iso10002Error, Role, SQLiteEventStore


def main(argv: list[str]) -> int:
    database, go, writer, notes, *references = argv
    store = SQLiteEventStore(database)
    # The library's default number of conflict retries: notes must never surface a conflict.
    desk = ComplaintDesk(store)
    actor = Actor(id=f"writer-{writer}", role=Role.COMPLAINTS_MANAGER)
    deadline = time.monotonic() + 60
    while not Path(go).exists():
        if time.monotonic() > deadline:
            print(json.dumps({"stored": [], "raised": ["no start signal"]}))
            return 1
        time.sleep(0.005)
    stored, raised = [], []
    for n in range(int(notes)):
        reference = references[n % len(references)]
        text = f"writer {writer}, note {n}"
        try:
            desk.add_note(reference, actor, text)
            stored.append(text)
        except Iso10002Error as error:
            raised.append(f"{type(error).__name__}: {error}")
    store.close()
    print(json.dumps({"stored": stored, "raised": raised}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
