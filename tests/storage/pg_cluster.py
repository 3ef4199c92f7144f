"""
A throwaway PostgreSQL server for the tests, started from the binaries on the machine.

The session fixture :func:`postgres_cluster` runs ``initdb`` into a fresh temporary directory,
starts the server with ``pg_ctl`` on a free loopback port (its Unix socket in the same
directory), creates a database owned by an ordinary login role, and yields a :class:`Cluster`.
Afterwards the server is stopped and the directory removed, also when the session fails.

- The binaries are found through ``pg_config --bindir``, then ``PATH``, then
  ``/usr/lib/postgresql/*/bin`` (newest first). Without them every test that uses the fixture
  is skipped with the reason; CI refuses skips, so CI installs them (``.ci/run``).
- ``initdb`` and ``postgres`` refuse to run as root. As root the fixture runs them as the
  unprivileged OS user :data:`OS_USER`, created with ``useradd --system`` if missing, through
  ``runuser``; otherwise it runs them as the current user.
- The server trades durability for speed (``fsync=off`` and friends): the data is thrown away.
- TCP connections need a password (SCRAM), as in production; the Unix socket is trusted, for
  the superuser connection that test setup uses.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs
import pytest

__all__ = ["OS_USER", "Cluster", "find_bindir", "postgres_cluster", "throwaway_cluster"]

OS_USER = "iso10002-pg"
"""The OS user that runs the server when the tests run as root."""

SUPERUSER = "cluster_admin"
APP_ROLE = "complaints_app"
DATABASE = "complaints"
_BINARIES = ("initdb", "pg_ctl", "postgres")
_START_ATTEMPTS = 3

# Throwaway data: no durability, little memory, nothing that slows start-up or DDL.
_SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "shared_buffers": "16MB",
    "max_connections": "100",
    "huge_pages": "off",
    "logging_collector": "off",
    "log_min_messages": "warning",
    "autovacuum": "off",
}


@attrs.frozen(kw_only=True)
class Cluster:
    """A running throwaway server and the database the tests use."""

    port: int
    password: str
    socket_dir: Path
    data_dir: Path
    host: str = "127.0.0.1"
    dbname: str = DATABASE
    user: str = APP_ROLE

    @property
    def conninfo(self) -> str:
        """The application's connection: TCP on loopback, an ordinary role with a password."""
        return (
            f"host={self.host} port={self.port} dbname={self.dbname} "
            f"user={self.user} password={self.password}"
        )

    @property
    def admin_conninfo(self) -> str:
        """A superuser connection through the Unix socket, for test setup and inspection."""
        return f"host={self.socket_dir} port={self.port} dbname={self.dbname} user={SUPERUSER}"


def _newest_first(paths: Sequence[str]) -> list[str]:
    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", path)) or (0,)

    return sorted(paths, key=version, reverse=True)


def find_bindir() -> Path | None:
    """The directory holding initdb, pg_ctl and postgres, or None if there is none."""
    candidates: list[str] = []
    pg_config = shutil.which("pg_config")
    if pg_config is not None:
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            out = subprocess.run(
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            )
            candidates.append(out.stdout.strip())
    initdb = shutil.which("initdb")
    if initdb is not None:
        candidates.append(str(Path(initdb).resolve().parent))
    root = Path("/usr/lib/postgresql")
    if root.is_dir():
        candidates.extend(_newest_first([str(p / "bin") for p in root.iterdir()]))
    for candidate in candidates:
        path = Path(candidate)
        if all(os.access(path / name, os.X_OK) for name in _BINARIES):
            return path
    return None


def bindir_for_benchmark() -> Path | None:
    """:func:`find_bindir`, saying on standard error that there is none (a benchmark then
    exits with status 1)."""
    bindir = find_bindir()
    if bindir is None:
        print("no PostgreSQL server binaries (initdb, pg_ctl, postgres) found", file=sys.stderr)
    return bindir


def _is_root() -> bool:
    return os.geteuid() == 0


def _ensure_os_user() -> None:
    """Create :data:`OS_USER` (a system account without login or home) if it is missing."""
    import pwd

    try:
        pwd.getpwnam(OS_USER)
    except KeyError:
        subprocess.run(
            [
                "useradd",
                "--system",
                "--user-group",
                "--no-create-home",
                "--home-dir",
                "/nonexistent",
                "--shell",
                "/usr/sbin/nologin",
                OS_USER,
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )


def _clean_env() -> dict[str, str]:
    """The environment without libpq's PG* variables, which would point elsewhere."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PG")}


def _run(command: Sequence[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a server binary, as :data:`OS_USER` when root; raise with its output on failure."""
    full = ["runuser", "-u", OS_USER, "--", *command] if _is_root() else list(command)
    done = subprocess.run(
        full, cwd=cwd, env=_clean_env(), capture_output=True, text=True, timeout=120, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
    return done


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_workdir() -> Path:
    """A private temporary directory that the server's OS user owns."""
    # Not pytest's tmp_path: its parents are private to the user running the tests.
    workdir = Path(tempfile.mkdtemp(prefix="iso10002-pg-"))
    if _is_root():
        _ensure_os_user()
        shutil.chown(workdir, user=OS_USER, group=OS_USER)
    return workdir


def _initdb(bindir: Path, workdir: Path, data_dir: Path, password: str) -> None:
    pwfile = workdir / "pwfile"
    pwfile.write_text(password + "\n")
    if _is_root():
        shutil.chown(pwfile, user=OS_USER, group=OS_USER)
    _run(
        [
            str(bindir / "initdb"),
            "--pgdata",
            str(data_dir),
            "--username",
            SUPERUSER,
            "--pwfile",
            str(pwfile),
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        ],
        cwd=workdir,
    )
    pwfile.unlink()
    with (data_dir / "postgresql.conf").open("a") as conf:
        for name, value in _SETTINGS.items():
            conf.write(f"{name} = {value}\n")
        conf.write(f"unix_socket_directories = '{workdir}'\n")


def _start(bindir: Path, workdir: Path, data_dir: Path) -> int:
    """Start the server on a free port; another port if the first is taken meanwhile."""
    log = workdir / "server.log"
    for attempt in range(1, _START_ATTEMPTS + 1):
        port = _free_port()
        try:
            _run(
                [
                    str(bindir / "pg_ctl"),
                    "--pgdata",
                    str(data_dir),
                    "--log",
                    str(log),
                    "--wait",
                    "--timeout",
                    "60",
                    "-o",
                    f"-c port={port}",
                    "start",
                ],
                cwd=workdir,
            )
        except RuntimeError:
            if attempt == _START_ATTEMPTS:
                text = log.read_text(errors="replace") if log.exists() else "(no log)"
                raise RuntimeError(f"the PostgreSQL server did not start:\n{text}") from None
            continue
        return port
    raise AssertionError("unreachable")  # pragma: no cover


def _stop(bindir: Path, workdir: Path, data_dir: Path) -> None:
    _run(
        [str(bindir / "pg_ctl"), "--pgdata", str(data_dir), "--mode", "immediate", "stop"],
        cwd=workdir,
    )


def _create_database(cluster: Cluster) -> None:
    # Imported here: registering this plugin must not need the postgres extra.
    import psycopg
    from psycopg import sql

    admin = f"host={cluster.socket_dir} port={cluster.port} dbname=postgres user={SUPERUSER}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(
            sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
                sql.Identifier(cluster.user), sql.Literal(cluster.password)
            )
        )
        conn.execute(
            sql.SQL("CREATE DATABASE {} OWNER {}").format(
                sql.Identifier(cluster.dbname), sql.Identifier(cluster.user)
            )
        )


@contextlib.contextmanager
def throwaway_cluster(bindir: Path) -> Iterator[Cluster]:
    """A running server with an empty database; stopped and removed on leaving."""
    workdir = _make_workdir()
    data_dir = workdir / "data"
    started = False
    try:
        password = secrets.token_urlsafe(16)
        _initdb(bindir, workdir, data_dir, password)
        port = _start(bindir, workdir, data_dir)
        started = True
        cluster = Cluster(port=port, password=password, socket_dir=workdir, data_dir=data_dir)
        _create_database(cluster)
        yield cluster
    finally:
        try:
            if started:
                _stop(bindir, workdir, data_dir)
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[Cluster]:
    """A throwaway PostgreSQL server for the whole session; skipped without the binaries."""
    bindir = find_bindir()
    if bindir is None:
        pytest.skip(
            "the PostgreSQL server binaries (initdb, pg_ctl, postgres) were not found through "
            "pg_config, PATH or /usr/lib/postgresql/*/bin; install the 'postgresql' package"
        )
    with throwaway_cluster(bindir) as cluster:
        yield cluster
