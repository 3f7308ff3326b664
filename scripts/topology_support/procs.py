"""Processes the harness starts: each in its own process group, logging to its own file, killed on the way out.

Every process is launched from the main thread (see ``ManagedProcess.start``): children get a parent-death
signal, and Linux ties that signal to the thread that forked them, not to the process.
"""

from __future__ import annotations

import ctypes
import os
import pwd
import signal
import socket
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

PR_SET_PDEATHSIG = 1


def now() -> float:
    return time.monotonic()


def stamp() -> str:
    return time.strftime("%H:%M:%S")


def log(message: str) -> None:
    """The harness's own progress line, on standard output."""
    print(f"[{stamp()}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_accepts(port: int, host: str = "127.0.0.1", timeout: float = 0.5) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


class Timeout(Exception):
    pass


def wait_until(condition: Callable[[], object], what: str, timeout: float, interval: float = 0.1) -> object:
    """Polls `condition` until it returns something truthy, which is returned; raises Timeout after `timeout` s."""
    deadline = now() + timeout
    while True:
        value = condition()
        if value:
            return value
        if now() >= deadline:
            raise Timeout(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Account:
    """Who a server runs as: the named system user when the harness is root, else the harness's own user."""

    name: str
    uid: int
    gid: int
    switch: bool

    @staticmethod
    def for_service(user: str) -> "Account":
        if os.geteuid() != 0:
            me = pwd.getpwuid(os.geteuid())
            return Account(me.pw_name, me.pw_uid, me.pw_gid, switch=False)
        try:
            entry = pwd.getpwnam(user)
        except KeyError as error:
            raise RuntimeError(f"running as root, but there is no '{user}' user to run that server as") from error
        return Account(user, entry.pw_uid, entry.pw_gid, switch=True)

    def own(self, *paths: Path) -> None:
        if self.switch:
            for path in paths:
                os.chown(path, self.uid, self.gid)

    def setpriv(self) -> list[str]:
        """The prefix that runs a command as this account (and dies with the harness)."""
        prefix = ["setpriv", "--pdeathsig", "KILL"]
        if self.switch:
            prefix += [f"--reuid={self.uid}", f"--regid={self.gid}", "--clear-groups"]
        return prefix + ["--"]

    def runuser(self) -> list[str]:
        return ["runuser", "-u", self.name, "--"] if self.switch else []


def _die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class ManagedProcess:
    """A long-running child: started, SIGKILLed and restarted on purpose, its output appended to one log file.

    `incarnation_offset` is where the current run's output starts in the log, so log checks see this run only.
    """

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_path: Path, cwd: Path | None = None):
        self.name = name
        self.argv = argv
        self.env = env
        self.log_path = log_path
        self.cwd = cwd
        self.process: subprocess.Popen | None = None
        self.incarnation = 0
        self.incarnation_offset = 0
        self.started_at = 0.0
        self._lock = threading.Lock()

    def start(self) -> None:
        assert threading.current_thread() is threading.main_thread(), "launch processes from the main thread"
        self.incarnation += 1
        with open(self.log_path, "ab") as out:
            out.write(f"\n=== harness: start #{self.incarnation} of {self.name} at {stamp()} ===\n".encode())
            out.flush()
            self.incarnation_offset = out.tell()
            self.process = subprocess.Popen(
                self.argv,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=_die_with_parent,
            )
        self.started_at = now()

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def exit_code(self) -> int | None:
        return self.process.poll() if self.process else None

    def _signal_group(self, signum: int) -> None:
        if self.process is None:
            return
        try:
            os.killpg(self.process.pid, signum)
        except ProcessLookupError:
            pass

    def kill(self) -> None:
        """SIGKILL to the whole process group, as a crash of the machine's process would be; waits for the exit."""
        self._signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait()

    def terminate(self) -> None:
        """SIGTERM to the process group, without waiting."""
        self._signal_group(signal.SIGTERM)

    def wait(self, timeout: float) -> bool:
        """Whether the process exited within `timeout` s."""
        if self.process is None:
            return True
        try:
            self.process.wait(timeout=max(timeout, 0))
            return True
        except subprocess.TimeoutExpired:
            return False

    def stop(self, timeout: float = 30) -> int | None:
        """SIGTERM, then SIGKILL if it does not exit within `timeout`."""
        if not self.alive():
            return self.exit_code()
        self._signal_group(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            return self.exit_code()

    def log_text(self, whole: bool = False) -> str:
        """This incarnation's output (or the whole file)."""
        try:
            with open(self.log_path, "rb") as file:
                if not whole:
                    file.seek(self.incarnation_offset)
                return file.read().decode(errors="replace")
        except FileNotFoundError:
            return ""

    def log_tail(self, characters: int = 3000) -> str:
        return self.log_text(whole=True)[-characters:]


def run(argv: list[str], what: str, timeout: float = 300, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs a short command to completion, raising with its output when it fails."""
    result = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=timeout)
    if check and result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {' '.join(argv)}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result
