"""
Synthetic complaints for the reporting benchmark: one CSV row per complaint, deterministic for
a seed, shaped like a busy organisation's two years.

Columns: ``id``, ``received_at``, ``acknowledged_at``, ``responded_at``, ``closed_at`` (ISO
8601 UTC, blank when it did not happen), ``status`` (``open``, ``closed``, ``withdrawn``),
``channel``, ``category``, ``product``, ``outcome`` (blank, ``upheld``, ``partially_upheld``,
``not_upheld``), ``redress`` and ``currency``, ``satisfaction`` (1 to 5, blank when not
asked), ``root_cause``.

Run: ``python benchmarks/generate_complaints.py OUT.csv [--complaints N] [--seed S]``.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import sys
import time
from pathlib import Path

__all__ = ["FIELDS", "START", "generate"]

START = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
SPAN_DAYS = 730
FIELDS = (
    "id",
    "received_at",
    "acknowledged_at",
    "responded_at",
    "closed_at",
    "status",
    "channel",
    "category",
    "product",
    "outcome",
    "redress",
    "currency",
    "satisfaction",
    "root_cause",
)
CHANNELS = ("email", "phone", "web_form", "letter", "chat", "in_person", "social_media")
CATEGORIES = (
    "Billing / Wrong amount",
    "Billing / Charged after cancellation",
    "Delivery / Late",
    "Delivery / Damaged",
    "Service / Outage",
    "Staff conduct",
    "Product fault",
    "Account / Data protection",
)
PRODUCTS = ("Home broadband", "Mobile", "Credit account", "Television", "Laptop", "Insurance")
CAUSES = (
    "Manual keying error",
    "Batch job failure",
    "Courier delay",
    "Training gap",
    "Unclear terms",
    "Supplier defect",
    *(f"One-off cause {i}" for i in range(40)),
)
OUTCOMES = ("upheld", "partially_upheld", "not_upheld")


def _iso(at: dt.datetime | None) -> str:
    return "" if at is None else at.isoformat()


def generate(path: Path, complaints: int, seed: int = 1) -> None:
    """Write ``complaints`` rows to ``path``."""
    rng = random.Random(seed)
    now = START + dt.timedelta(days=SPAN_DAYS)
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(FIELDS)
        for i in range(1, complaints + 1):
            received = START + dt.timedelta(seconds=rng.randrange(SPAN_DAYS * 86_400))
            ack = received + dt.timedelta(minutes=rng.randrange(5, 4 * 24 * 60))
            acknowledged = ack if ack < now and rng.random() < 0.9 else None
            fate = rng.random()
            responded = closed = None
            status = "open"
            outcome = redress = currency = satisfaction = cause = ""
            if fate < 0.05:
                withdrawn = received + dt.timedelta(hours=rng.randrange(1, 500))
                if withdrawn < now:
                    status, closed = "withdrawn", withdrawn
            elif fate < 0.93:
                answer = received + dt.timedelta(minutes=rng.randrange(30, 60 * 24 * 60))
                end = answer + dt.timedelta(hours=rng.randrange(1, 72))
                if end < now:
                    responded, closed, status = answer, end, "closed"
                    outcome = rng.choice(OUTCOMES)
                    if outcome != "not_upheld" and rng.random() < 0.7:
                        redress = f"{rng.randrange(500, 50_000) / 100:.2f}"
                        currency = "GBP" if rng.random() < 0.9 else "EUR"
                    if rng.random() < 0.3:
                        satisfaction = str(rng.randint(1, 5))
                    if rng.random() < 0.6:
                        weights = rng.random()
                        cause = CAUSES[int(weights * weights * len(CAUSES))]
            writer.writerow(
                (
                    f"SYN-{i:07d}",
                    _iso(received),
                    _iso(acknowledged),
                    _iso(responded),
                    _iso(closed),
                    status,
                    rng.choice(CHANNELS),
                    rng.choice(CATEGORIES),
                    rng.choice(PRODUCTS),
                    outcome,
                    redress,
                    currency,
                    satisfaction,
                    cause,
                )
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--complaints", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    began = time.perf_counter()
    generate(args.out, args.complaints, args.seed)
    print(f"{args.complaints:,} complaints in {time.perf_counter() - began:.1f} s: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
