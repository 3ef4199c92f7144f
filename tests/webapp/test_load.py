"""
Under load: many clients submitting at once to the two-process server store every complaint
exactly once, duplicates included; four processes adding notes to the same two complaints,
each through its own desk, store every note and see no error.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

from iso10002 import (
    Actor,
    Channel,
    Complainant,
    ComplaintDesk,
    ComplaintQuery,
    ContactDetails,
    FixedClock,
    NoteAdded,
    Role,
    SQLiteEventStore,
)
from iso10002.ports.store import iter_summaries

from .conftest import ROOT, Server

CLIENTS = 8
"""Concurrent clients, each a thread with its own connections."""
KEYS_PER_CLIENT = 25
"""Forms each client fills; every form is also sent by the next client, at the same time."""
WRITERS = 4
NOTES_PER_WRITER = 30
REFERENCE = re.compile(r'id="reference">([A-Z0-9-]+)<')


def submit(url: str, key: str) -> tuple[int, str]:
    """POST one complaint form; the status and the reference on the page."""
    body = urllib.parse.urlencode(
        {
            "client_key": key,
            "name": "Load Tester",
            "email": "load@example.org",
            "description": f"Load test complaint {key}.",
        }
    ).encode()
    request = urllib.request.Request(f"{url}/complaints", data=body, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            page = response.read().decode()
            status = response.status
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()[:300]
    found = REFERENCE.search(page)
    return status, found.group(1) if found else ""


def test_concurrent_submissions_are_stored_exactly_once(server: Server) -> None:
    run = f"load-{os.getpid()}"
    blocks = [[f"{run}-{c}-{k}" for k in range(KEYS_PER_CLIENT)] for c in range(CLIENTS)]
    results: list[tuple[str, int, str]] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def client(c: int) -> None:
        # Its own forms, interleaved with the next client's: each form is sent twice at once.
        mine, theirs = blocks[c], blocks[(c + 1) % CLIENTS]
        start.wait()
        for own, other in zip(mine, theirs, strict=True):
            for key in (own, other):
                status, reference = submit(server.url, key)
                with lock:
                    results.append((key, status, reference))

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(c,)) for c in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.monotonic() - began

    keys = {key for block in blocks for key in block}
    assert len(results) == 2 * len(keys)
    assert {status for _, status, _ in results} <= {200, 201}, [r for r in results if r[1] >= 300]
    created = Counter(key for key, status, _ in results if status == 201)
    assert created == Counter(keys), "each form is created once and replayed once"
    by_key: dict[str, set[str]] = defaultdict(set)
    for key, _, reference in results:
        by_key[key].add(reference)
    assert all(len(refs) == 1 and "" not in refs for refs in by_key.values())

    with SQLiteEventStore(server.database) as store:
        stored = [s for s in iter_summaries(store, ComplaintQuery()) if s.client_key in keys]
    assert sorted(s.client_key or "" for s in stored) == sorted(keys)
    assert {s.reference for s in stored} == {next(iter(r)) for r in by_key.values()}
    assert len({s.reference for s in stored}) == len(keys)
    # No reference number is used up by a racing duplicate: threads of one process take turns
    # per key, and a process that loses to the other at the append claimed its number in that
    # append, which failed with it.
    numbers = sorted(int(s.reference.rsplit("-", 1)[1]) for s in stored)
    skipped = numbers[-1] - numbers[0] + 1 - len(numbers)
    print(
        f"load: {len(results)} submissions ({len(keys)} forms, each sent twice at once) from "
        f"{CLIENTS} clients to 2 server processes in {seconds:.1f}s "
        f"({len(results) / seconds:.0f}/s); {len(stored)} complaints stored, none twice; "
        f"{skipped} reference numbers skipped"
    )
    assert skipped == 0, f"{skipped} reference numbers skipped"


def test_four_processes_add_notes_to_two_complaints(tmp_path: Path) -> None:
    database = tmp_path / "notes.db"
    clock = FixedClock(dt.datetime(2027, 1, 11, 9, tzinfo=dt.timezone.utc))
    staff = Actor(id="fran", role=Role.FRONT_LINE)
    with SQLiteEventStore(database) as store:
        desk = ComplaintDesk(store, clock=clock)
        references = [
            desk.receive(
                staff,
                complainant=Complainant(
                    name=f"Customer {n}", contact=ContactDetails(email=f"c{n}@example.org")
                ),
                channel=Channel.PHONE,
                description="Notes from everywhere.",
            ).reference
            for n in (1, 2)
        ]
    go = tmp_path / "go"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    script = Path(__file__).with_name("note_writer.py")
    writers = [
        subprocess.Popen(
            [
                sys.executable,
                str(script),
                str(database),
                str(go),
                str(w),
                str(NOTES_PER_WRITER),
                *references,
            ],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for w in range(WRITERS)
    ]
    time.sleep(1.0)  # let every writer open its desk and wait at the line
    began = time.monotonic()
    go.touch()
    outputs = [w.communicate(timeout=120)[0] for w in writers]
    seconds = time.monotonic() - began
    assert [w.returncode for w in writers] == [0] * WRITERS, outputs
    reports = [json.loads(out) for out in outputs]
    raised = [error for report in reports for error in report["raised"]]
    assert raised == []

    expected = {f"writer {w}, note {n}" for w in range(WRITERS) for n in range(NOTES_PER_WRITER)}
    with SQLiteEventStore(database) as store:
        desk = ComplaintDesk(store, clock=clock)
        notes = [
            event.payload.text
            for reference in references
            for event in desk.history(reference)
            if isinstance(event.payload, NoteAdded)
        ]
    assert len(notes) == len(expected)
    assert set(notes) == expected
    print(
        f"notes: {WRITERS} processes stored {len(notes)} notes on 2 complaints in "
        f"{seconds:.1f}s, none raised"
    )
