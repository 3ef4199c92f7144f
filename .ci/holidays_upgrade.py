"""
A database written under one release of ``holidays`` reads the same under another.

``.ci/run`` runs this twice: ``write`` with an older ``holidays`` release first on the path
(installed with ``pip install --target``), then ``check`` with the release the project installs.
Between the two releases the calendar of Scotland gained a holiday (15 June 2026), inside the
working days that count toward the SPSO preset's deadlines for complaints received in early
June 2026: the frontline deadline of one received on Wednesday 10 June is the 16th under the
older release and the 17th under the newer. The check asserts three things:

- the two releases really differ for that calendar (else the comparison proves nothing);
- everything a reader sees of the complaints written before (public view, timeliness status
  now and at an earlier instant, the breach queue, the audit report) is byte for byte what the
  older release showed;
- a complaint received after the upgrade counts in the newer release's calendar.
"""

from __future__ import annotations

import datetime as _dt
import sys
from importlib.metadata import version
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays

from iso10002 import Actor, Channel, ComplaintDesk, FixedClock, Role
from iso10002.audit import run_audit
from iso10002.audit.reports import report_to_json
from iso10002.sla.config import SlaConfig
from iso10002.sla.engine import SlaReport
from iso10002.sla.presets import preset
from iso10002.storage.sqlite import SQLiteEventStore
from iso10002.testing import sample_complainant

LONDON = ZoneInfo("Europe/London")
STAFF = Actor(id="ana", role=Role.COMPLAINTS_MANAGER)
PRESET = "spso-stage-1"
# A Wednesday: the five working days it starts span Monday the 15th.
RECEIVED = _dt.datetime(2026, 6, 10, 9, 0, tzinfo=LONDON)
LATER = _dt.datetime(2026, 6, 30, 12, 0, tzinfo=LONDON)
CHANGED_DAY = _dt.date(2026, 6, 15)
VERSION = version("holidays")


def config() -> SlaConfig:
    """The SPSO frontline policy on the calendar the installed ``holidays`` gives."""
    return SlaConfig(policies=(preset(PRESET).policy(),), default=PRESET)


def closes_on_changed_day() -> bool:
    """Whether the installed release has Scotland closed on the day the releases disagree on."""
    return CHANGED_DAY in holidays.country_holidays("GB", subdiv="SCT", years=2026)


def due(status: SlaReport) -> _dt.datetime | None:
    """The frontline decision's deadline in ``status``."""
    return status.metrics[0].due_at


def receive(desk: ComplaintDesk) -> str:
    """A complaint by e-mail; its reference."""
    complaint = desk.receive(
        STAFF,
        complainant=sample_complainant(),
        channel=Channel.EMAIL,
        description="The council did not collect the bins.",
    )
    return complaint.reference


def shown(path: Path) -> str:
    """Everything a reader sees of the complaints in ``path``, and the audit, as text."""
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(LATER), sla=config())
        seen = []
        for summary in sorted(desk.query().items, key=lambda s: s.reference):
            ref = summary.reference
            seen.append(repr(desk.public_view(ref)))
            seen.append(repr(desk.sla_status(ref)))
            seen.append(repr(desk.sla_status(ref, as_of=RECEIVED + _dt.timedelta(days=3))))
        seen.append(repr(desk.sla_queue()))
        audit = run_audit(
            store, period_from=RECEIVED.date(), period_to=LATER.date(), sla=config(), now=LATER
        )
        seen.append(report_to_json(audit))
    return "\n".join(seen)


def write(path: Path, out: Path) -> None:
    """Write two complaints under the installed release; keep what a reader sees of them."""
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(RECEIVED), sla=config())
        first = receive(desk)
        receive(desk)
        desk.acknowledge(first, STAFF)
    out.write_text(shown(path), encoding="utf-8")
    print(f"holidays {VERSION}: wrote {path} and what it shows to {out}")


def check(path: Path, out: Path, written_under: str) -> int:
    """Compare what ``path`` shows now with ``out``; a new complaint uses today's calendar."""
    problems = []
    if written_under == VERSION:
        problems.append(f"both runs used holidays {written_under}: nothing was compared")
    if not closes_on_changed_day():
        problems.append(f"holidays {VERSION} does not close {CHANGED_DAY} in Scotland")
    before = out.read_text(encoding="utf-8")
    after = shown(path)
    if after != before:
        lines = zip(before.splitlines(), after.splitlines(), strict=False)
        for number, (old, new) in enumerate(lines, 1):
            if old != new:
                problems.append(f"line {number} differs:\n  before: {old}\n  after:  {new}")
                break
        else:
            problems.append("the output differs in length")
    with SQLiteEventStore(path) as store:
        desk = ComplaintDesk(store, clock=FixedClock(RECEIVED), sla=config())
        old_status = desk.sla_status(min(s.reference for s in desk.query().items))
        new_status = desk.sla_status(receive(desk))
    if old_status is None or new_status is None:
        problems.append("a complaint has no timeliness status")
    elif due(old_status) == due(new_status):
        problems.append(f"a new complaint kept the old deadline {due(old_status)}")
    for problem in problems:
        print(f"holidays upgrade: {problem}", file=sys.stderr)
    if not problems:
        print(
            f"holidays {written_under} -> {VERSION}: existing complaints read the "
            f"same ({len(before.splitlines())} lines), a new one counts in the new calendar"
        )
    return 1 if problems else 0


def main(argv: list[str]) -> int:
    """``write DB OUT`` or ``check DB OUT WRITTEN_UNDER``."""
    if len(argv) >= 3 and argv[0] == "write":
        write(Path(argv[1]), Path(argv[2]))
        return 0
    if len(argv) == 4 and argv[0] == "check":
        return check(Path(argv[1]), Path(argv[2]), argv[3])
    print("usage: holidays_upgrade.py write DB OUT | check DB OUT WRITTEN_UNDER", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
