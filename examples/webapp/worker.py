"""
The background worker: one process beside the web workers that runs the scheduled tick
(warning and breach alerts, each raised once) and delivers the outbox (the acknowledgement
and decision letters the desk enqueued with the commands).

Run one worker per deployment, or several: the tick raises each alert once even when two
processes tick at the same time, and the dispatcher leases what it claims, so two workers
never send one message twice. SIGTERM or Ctrl-C stops it after the round in progress.
"""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

from iso10002 import ComplaintDesk
from iso10002.outbox import OutboxDispatcher

from .wiring import WORKER, MailDirectory, Settings, open_desk, open_store

__all__ = ["run_once", "run_worker"]

log = logging.getLogger("webapp.worker")

TICK_BATCH = 500
"""Complaints one tick call handles; a backlog takes several calls in one round."""


def run_once(desk: ComplaintDesk, dispatcher: OutboxDispatcher) -> tuple[int, int]:
    """One round: tick until no alert is left to raise, then deliver what is due."""
    alerts = 0
    while True:
        raised = desk.tick(limit=TICK_BATCH, actor=WORKER)
        alerts += len(raised)
        if len(raised) < TICK_BATCH:
            break
    delivered = 0
    while True:
        report = dispatcher.dispatch()
        delivered += report.delivered
        if not report.busy:
            break
    return alerts, delivered


def run_worker(settings: Settings, stop: threading.Event | None = None) -> None:
    """Run rounds every ``settings.tick_seconds`` until ``stop`` is set or SIGTERM arrives."""
    stop = stop or threading.Event()

    def handle(signum: int, _frame: FrameType | None) -> None:
        log.info("signal %s: stopping after this round", signum)
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handle)
        signal.signal(signal.SIGINT, handle)
    store = open_store(settings)
    desk = open_desk(settings, store)
    dispatcher = OutboxDispatcher(
        store,
        {"smtp": MailDirectory(settings.mail_dir, desk.clock)},
        clock=desk.clock,
    )
    log.info("worker started: tick every %ss, mail to %s", settings.tick_seconds, settings.mail_dir)
    try:
        while not stop.is_set():
            alerts, delivered = run_once(desk, dispatcher)
            if alerts or delivered:
                log.info("raised %d alerts, delivered %d messages", alerts, delivered)
            stop.wait(settings.tick_seconds)
    finally:
        store.close()
        log.info("worker stopped")
