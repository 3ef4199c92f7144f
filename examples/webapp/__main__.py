"""
``python -m examples.webapp``: start the web server and the worker, stop both on Ctrl-C.

Subcommands: ``run`` (the default: both), ``web`` (uvicorn only), ``worker`` (the worker
only) and ``seed`` (add demonstration complaints, some of them late). See README.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

from iso10002 import (
    Actor,
    Assessment,
    Channel,
    Complainant,
    ContactDetails,
    Role,
    Severity,
)

from .wiring import STAFF, Settings, open_desk
from .worker import run_worker

ROOT = Path(__file__).resolve().parents[2]
"""The repository's root, from which ``examples.webapp`` is importable."""

FRONT_DESK = Actor(id="fran", role=Role.FRONT_LINE, name="Fran (front line)")


def web_command(host: str, port: int, workers: int) -> list[str]:
    """The uvicorn command line: the app factory, built in each worker process."""
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "examples.webapp.web:create_app",
        "--factory",
        "--app-dir",
        str(ROOT),
        "--host",
        host,
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]


def run(host: str, port: int, workers: int) -> int:
    """Start uvicorn and the worker as child processes; stop both on SIGINT or SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    worker = [sys.executable, "-m", "examples.webapp", "worker"]
    children = [
        subprocess.Popen(web_command(host, port, workers), cwd=ROOT),
        subprocess.Popen(worker, cwd=ROOT),
    ]
    print(f"complaints web application on http://{host}:{port}/ (Ctrl-C stops it)")
    try:
        while not stop.wait(0.5):
            if any(child.poll() is not None for child in children):
                break
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
    return max((child.returncode or 0) for child in children)


def seed(settings: Settings, count: int) -> list[str]:
    """
    Add ``count`` demonstration complaints, received over the past weeks by phone and e-mail,
    at different stages: the oldest are late, so the breach queue has something to show.
    """
    desk = open_desk(settings)
    manager = STAFF["mia"]
    now = desk.clock.now()
    references = []
    try:
        for n in range(count):
            received = now - dt.timedelta(days=3 + 5 * n, hours=n)
            complaint = desk.receive(
                FRONT_DESK,
                complainant=Complainant(
                    name=f"Customer {n + 1}",
                    contact=ContactDetails(email=f"customer{n + 1}@example.org"),
                ),
                channel=Channel.PHONE if n % 2 else Channel.EMAIL,
                description=f"Demonstration complaint {n + 1}: charged twice for one order.",
                received_at=received,
                client_key=f"seed-{settings.database.name}-{n}",
            )
            reference = complaint.reference
            references.append(reference)
            if n % 3 == 0:
                continue  # left as received: not even acknowledged
            desk.acknowledge(reference, FRONT_DESK)
            if n % 3 == 2:
                desk.assess(reference, manager, Assessment(severity=Severity.MEDIUM))
                desk.assign(reference, manager, STAFF["ivan"])
    finally:
        desk.store.close()
    return references


def main(argv: Sequence[str] | None = None) -> int:
    """The command line."""
    parser = argparse.ArgumentParser(prog="python -m examples.webapp", description=__doc__)
    sub = parser.add_subparsers(dest="command")
    for name in ("run", "web"):
        serving = sub.add_parser(name)
        serving.add_argument("--host", default="127.0.0.1")
        serving.add_argument("--port", type=int, default=8000)
        serving.add_argument("--workers", type=int, default=2)
    sub.add_parser("worker")
    seeding = sub.add_parser("seed")
    seeding.add_argument("--count", type=int, default=6)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    settings = Settings.from_env()
    command: str = args.command or "run"
    if command == "worker":
        run_worker(settings)
        return 0
    if command == "seed":
        for reference in seed(settings, args.count):
            print(reference)
        return 0
    host = getattr(args, "host", "127.0.0.1")
    port = getattr(args, "port", 8000)
    workers = getattr(args, "workers", 2)
    if command == "web":
        return subprocess.call(web_command(host, port, workers), cwd=ROOT)
    return run(host, port, workers)


if __name__ == "__main__":
    sys.exit(main())
