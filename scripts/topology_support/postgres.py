"""A private PostgreSQL 15 cluster for the harness, set up as Kaiten's EmbeddedPostgres sets up its own.

It runs under `pg_ctl` (so that it can be restarted with `pg_ctl restart -m fast` as an operator would), as the
`postgres` user when the harness is root, listening on 127.0.0.1 only, with `wal_level=logical` for the CDC relay.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import psycopg

from .procs import Account, log, now, run

SUPERUSER = "kaiten"


def find_binary(name: str) -> str:
    for directory in ["/usr/lib/postgresql/15/bin", "/usr/local/bin"]:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if not found:
        raise RuntimeError(f"PostgreSQL's {name} was not found (install postgresql-15)")
    return found


class PostgresServer:
    def __init__(self, root: Path, port: int):
        self.account = Account.for_service("postgres")
        self.root = root
        self.data = root / "data"
        self.log_path = root / "server.log"
        self.port = port
        self.running = False

    @property
    def url(self) -> str:
        """Kaiten's form (KAITEN_DATABASE_URL)."""
        return f"postgres://{SUPERUSER}@127.0.0.1:{self.port}/kaiten"

    def conninfo(self, database: str = "kaiten") -> str:
        return f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname={database} connect_timeout=10"

    def _as_owner(self, argv: list[str], what: str, timeout: float = 300, check: bool = True):
        return run(self.account.runuser() + argv, what, timeout=timeout, check=check)

    def initialize(self) -> None:
        self.root.mkdir(parents=True)
        os.chmod(self.root, 0o700)
        self.account.own(self.root)
        self._as_owner(
            [find_binary("initdb"), "-D", str(self.data), "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--no-locale"],
            "initdb",
        )
        settings = {
            "port": str(self.port),
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": "''",
            "wal_level": "logical",
            "max_replication_slots": "32",
            "max_wal_senders": "32",
            "max_connections": "300",
            "logging_collector": "off",
            "log_line_prefix": "'%m [%p] '",
        }
        conf = self.data / "postgresql.auto.conf"
        conf.write_text("".join(f"{key} = {value}\n" for key, value in sorted(settings.items())))
        self.account.own(conf)

    def _pg_ctl(self, *arguments: str, timeout: float = 300):
        return self._as_owner(
            [find_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(int(timeout)), *arguments],
            f"pg_ctl {' '.join(arguments)}",
            timeout=timeout + 30,
        )

    def start(self) -> None:
        self._pg_ctl("start")
        self.running = True
        log(f"PostgreSQL is up on 127.0.0.1:{self.port}")

    def restart_fast(self, timeout: float) -> tuple[bool, float]:
        """`pg_ctl restart -m fast`, waiting at most `timeout` s; returns whether it completed and how long it took.

        When the fast shutdown does not finish in time the server is left shutting down: the caller decides."""
        began = now()
        result = self._as_owner(
            [find_binary("pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", str(int(timeout)), "restart", "-m", "fast"],
            "pg_ctl restart -m fast",
            timeout=timeout + 60,
            check=False,
        )
        return result.returncode == 0, now() - began

    def stop_immediately_and_start(self) -> float:
        """What an operator does when a fast shutdown hangs: `pg_ctl stop -m immediate`, then start (crash recovery)."""
        began = now()
        self._as_owner([find_binary("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "stop", "-m", "immediate"], "pg_ctl stop -m immediate", timeout=90)
        self._pg_ctl("start")
        return now() - began

    def stop(self) -> None:
        if self.running or (self.data / "postmaster.pid").exists():
            self._as_owner([find_binary("pg_ctl"), "-D", str(self.data), "-w", "-t", "60", "stop", "-m", "immediate"], "pg_ctl stop", timeout=90)
            self.running = False

    def process_titles(self) -> list[str]:
        """The cluster's processes as `ps` shows them (a walsender's title says its state and sent position)."""
        try:
            postmaster = (self.data / "postmaster.pid").read_text().split("\n")[0].strip()
        except OSError:
            return []
        result = run(["ps", "-o", "pid=,args=", "--ppid", postmaster], "ps", timeout=30, check=False)
        return [line.strip() for line in result.stdout.splitlines()]

    def create_database(self, name: str = "kaiten") -> None:
        with psycopg.connect(self.conninfo("postgres"), autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.conninfo(), autocommit=True)
