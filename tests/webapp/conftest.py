"""
The example web application as a person meets it: the real server (``python -m
examples.webapp``, uvicorn with two worker processes and the background worker) on a loopback
port, a SQLite file in the test's temporary directory, and Debian's Chromium driven by
Playwright. Only the clock is fixed (``ISO10002_WEBAPP_NOW``), so that deadlines and the breach
queue come out the same on every run.

Screenshots go to a ``screenshots`` directory under pytest's base temporary directory; each
test prints the paths it wrote.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
NOW = "2027-01-11T09:00:00+00:00"
"""The application's fixed clock: a Monday morning."""
SEEDED = 6
"""Demonstration complaints received before the server starts, the oldest weeks late."""
STARTUP_SECONDS = 60.0


@dataclass(frozen=True)
class Server:
    """A running application: its address, its database and its mail directory."""

    url: str
    database: Path
    mail_dir: Path
    seeded: tuple[str, ...]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _environment(database: Path, mail_dir: Path) -> dict[str, str]:
    env = dict(os.environ)
    source = str(ROOT / "src")
    env["PYTHONPATH"] = (
        os.pathsep.join([source, env["PYTHONPATH"]]) if env.get("PYTHONPATH") else source
    )
    env.update(
        ISO10002_WEBAPP_DB=str(database),
        ISO10002_WEBAPP_MAIL_DIR=str(mail_dir),
        ISO10002_WEBAPP_NOW=NOW,
        ISO10002_WEBAPP_TICK_SECONDS="0.5",
    )
    return env


def _wait_until_serving(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the application exited with status {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"the application did not answer on {url} within {STARTUP_SECONDS}s")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The application, seeded, started once for the whole directory of tests."""
    home = tmp_path_factory.mktemp("webapp")
    database, mail_dir = home / "complaints.db", home / "mail"
    env = _environment(database, mail_dir)
    seeded = subprocess.run(
        [sys.executable, "-m", "examples.webapp", "seed", "--count", str(SEEDED)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.split()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = (home / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "examples.webapp", "run", "--port", str(port), "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_until_serving(f"{url}/", process)
        yield Server(url=url, database=database, mail_dir=mail_dir, seeded=tuple(seeded))
    finally:
        process.terminate()  # the launcher stops uvicorn and the worker, then exits
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # pragma: no cover - a hung shutdown
            process.kill()
            process.wait()
        log.close()
        print(f"server log: {home / 'server.log'}")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless; never a browser downloaded by a tool."""
    assert CHROMIUM.exists(), f"{CHROMIUM} is missing: apt-get install chromium chromium-driver"
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Browser, server: Server) -> Iterator[Page]:
    """A fresh browser context (no cookies) on the application, 1200 pixels wide."""
    context = browser.new_context(base_url=server.url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


Shoot = Callable[[Page, str], Path]
"""Takes a full-page screenshot of a page under a name; returns its path."""


@pytest.fixture(scope="session")
def shoot(tmp_path_factory: pytest.TempPathFactory) -> Shoot:
    """Screenshots into a ``screenshots`` directory under pytest's base temporary directory."""
    directory = tmp_path_factory.mktemp("screenshots")

    def take(page: Page, name: str) -> Path:
        path = directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        print(f"screenshot: {path}")
        return path

    return take
