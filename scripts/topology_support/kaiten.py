"""Kaiten's roles as production runs them: 2 API replicas, 2 workers sharing one queue, 2 CDC relays on one slot.

Every role gets the same KAITEN_* environment (database, the RabbitMQ cluster's URLs, CDC relay mode, private
webhook addresses allowed for the loopback receiver) plus its own ports, and logs to its own file.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import httpx

from .procs import ManagedProcess, free_port, log, now, port_accepts, run, wait_until

STREAMING = "the relay is streaming the outbox"
STANDING_BY = ("another relay holds the outbox slot; standing by", "the outbox slot is streaming to another relay; standing by")
LOST_STREAM = "the relay lost its stream; reconnecting"
AMQP_CONNECTED = "AMQP connected"

RELAY_SLOT = "kaiten_topology"
CONSUMER_ID = "kaiten-topology"


class Role:
    """One Kaiten process of the topology, with how to tell that it is ready."""

    def __init__(self, kind: str, index: int, binary: str, arguments: list[str], env: dict[str, str], log_dir: Path):
        self.kind = kind
        self.index = index
        self.name = f"{kind}-{index}"
        self.env = env
        self.process = ManagedProcess(self.name, [binary, *arguments], env, log_dir / f"{self.name}.log")
        # Set when the harness killed it on purpose; a role that exits otherwise crashed.
        self.killed_on_purpose = False
        self.crashes: list[str] = []

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.env['KAITEN_API_PORT']}/api"

    @property
    def platform_url(self) -> str:
        return f"http://127.0.0.1:{self.env['KAITEN_PLATFORM_API_PORT']}/api"

    @property
    def metrics_url(self) -> str:
        return f"http://127.0.0.1:{self.env['KAITEN_METRICS_PORT']}/metrics"

    def start(self) -> None:
        self.killed_on_purpose = False
        self.process.start()

    def kill(self) -> None:
        self.killed_on_purpose = True
        self.process.kill()

    def is_ready(self) -> bool:
        if not self.process.alive():
            raise RoleExited(self)
        if self.kind == "serve":
            try:
                return httpx.get(f"{self.api_url}/readyz", timeout=2).status_code == 200 and port_accepts(int(self.env["KAITEN_PLATFORM_API_PORT"]))
            except httpx.HTTPError:
                return False
        text = self.process.log_text()
        if AMQP_CONNECTED not in text or not port_accepts(int(self.env["KAITEN_METRICS_PORT"])):
            return False
        if self.kind == "relay":
            return self.relay_state() in ("streaming", "standby")
        return True

    def wait_ready(self, timeout: float) -> None:
        wait_until(self.is_ready, f"{self.name} to be ready", timeout, interval=0.2)

    def relay_state(self) -> str | None:
        """What this relay's log last said of the slot in this incarnation: streaming, standby, lost or None."""
        text = self.process.log_text()
        positions = {
            "streaming": text.rfind(STREAMING),
            "standby": max(text.rfind(line) for line in STANDING_BY),
            "lost": text.rfind(LOST_STREAM),
        }
        state, position = max(positions.items(), key=lambda item: item[1])
        return state if position >= 0 else None

    def streaming_count(self) -> int:
        return self.process.log_text().count(STREAMING)

    def metrics(self) -> dict[str, float]:
        """The role's Prometheus counters (name with labels -> value); empty when it does not answer."""
        try:
            response = httpx.get(self.metrics_url, timeout=2)
        except httpx.HTTPError:
            return {}
        values = {}
        for line in response.text.splitlines():
            if line.startswith("#") or not line.strip():
                continue
            key, _, value = line.rpartition(" ")
            try:
                values[key] = float(value)
            except ValueError:
                pass
        return values


class RoleExited(Exception):
    def __init__(self, role: Role):
        super().__init__(f"{role.name} exited with {role.process.exit_code()}:\n{role.process.log_tail()}")
        self.role = role


class KaitenTopology:
    def __init__(self, binary: str, database_url: str, amqp_urls: list[str], log_dir: Path, webhook_schedule: str):
        self.binary = binary
        self.database_url = database_url
        self.amqp_urls = amqp_urls
        self.log_dir = log_dir
        self.webhook_schedule = webhook_schedule
        self.amqp_url_list_supported = True
        self.roles: list[Role] = []

    def base_environment(self) -> dict[str, str]:
        keep = {key: value for key, value in os.environ.items() if key in ("PATH", "HOME", "LANG", "TZ", "TMPDIR")}
        return {
            **keep,
            "KAITEN_DATABASE_URL": self.database_url,
            "KAITEN_AMQP_URL": ",".join(self.amqp_urls),
            "KAITEN_RELAY_MODE": "cdc",
            "KAITEN_RELAY_SLOT": RELAY_SLOT,
            "KAITEN_WORKER_CONSUMER_ID": CONSUMER_ID,
            "KAITEN_WEBHOOKS_ALLOW_PRIVATE": "1",
            "KAITEN_WEBHOOKS_RETRY_SCHEDULE": self.webhook_schedule,
            "LOG_LEVEL": "info",
        }

    def command(self, *arguments: str, what: str, timeout: float = 300) -> str:
        result = run([self.binary, *arguments], what, timeout=timeout, env=self.base_environment())
        return result.stdout

    def migrate(self) -> None:
        began = now()
        output = self.command("migrate", what="kaiten migrate", timeout=600)
        log(f"kaiten migrate: {output.strip()[:200]} ({now() - began:.1f} s)")

    def create_platform_token(self) -> str:
        output = self.command("platform-token", "create", "--name", "topology-harness", what="kaiten platform-token create")
        match = re.search(r"token:\s*(\S+)", output)
        if not match:
            raise RuntimeError(f"kaiten platform-token create printed no token:\n{output}")
        return match.group(1)

    def add_role(self, kind: str, index: int) -> Role:
        env = self.base_environment()
        arguments = {"serve": ["serve"], "worker": ["worker"], "relay": ["relay", "--mode", "cdc"]}[kind]
        if kind == "serve":
            env["KAITEN_API_PORT"] = str(free_port())
            env["KAITEN_PLATFORM_API_PORT"] = str(free_port())
            env["KAITEN_CONSOLE_SECURE_COOKIES"] = "0"
        else:
            env["KAITEN_METRICS_PORT"] = str(free_port())
            env["KAITEN_DAPR_APP_PORT"] = str(free_port())
        role = Role(kind, index, self.binary, arguments, env, self.log_dir)
        self.roles.append(role)
        return role

    def of_kind(self, kind: str) -> list[Role]:
        return [role for role in self.roles if role.kind == kind]

    def use_single_amqp_urls(self) -> None:
        """The fallback for a binary that takes one URL only: each pipeline role gets one node, spread over them."""
        self.amqp_url_list_supported = False
        pipeline = [role for role in self.roles if role.kind != "serve"]
        for position, role in enumerate(pipeline):
            url = self.amqp_urls[position % len(self.amqp_urls)]
            role.env["KAITEN_AMQP_URL"] = url
            role.process.env = role.env

    def start(self, timeout: float) -> None:
        """Workers first (they declare the queue the relays' events must find), then relays, then the API."""
        for index in (1, 2):
            self.add_role("worker", index)
        for index in (1, 2):
            self.add_role("relay", index)
        for index in (1, 2):
            self.add_role("serve", index)
        first = self.of_kind("worker")[0]
        first.start()
        try:
            first.wait_ready(timeout)
        except RoleExited as exited:
            if "AMQP" not in exited.role.process.log_text() and "amqp" not in exited.role.process.log_text():
                raise
            log("this kaiten refuses a list of AMQP URLs: falling back to one URL per process, spread over the nodes")
            self.use_single_amqp_urls()
            first.start()
            first.wait_ready(timeout)
        for kind in ("worker", "relay", "serve"):
            for role in self.of_kind(kind):
                if role is not first:
                    role.start()
            for role in self.of_kind(kind):
                role.wait_ready(timeout)
                log(f"{role.name} ready (pid {role.process.pid})" + (f", relay {role.relay_state()}" if kind == "relay" else ""))

    def active_relay(self) -> Role | None:
        streaming = [role for role in self.of_kind("relay") if role.process.alive() and role.relay_state() == "streaming"]
        return streaming[0] if len(streaming) == 1 else None

    def crashed_roles(self) -> list[Role]:
        """Roles that exited without the harness killing them; each crash is recorded once."""
        crashed = []
        for role in self.roles:
            if role.process.process is not None and not role.process.alive() and not role.killed_on_purpose:
                crashed.append(role)
        return crashed

    def stop(self) -> None:
        for role in self.roles:
            if role.process.alive():
                role.killed_on_purpose = True
                role.process.stop(timeout=20)
