"""A three-node RabbitMQ cluster on loopback, each node a private one as Kaiten's RabbitMQBroker starts it.

Each node has its own node name, AMQP port, distribution port and directory (Mnesia, logs, enabled plugins,
feature flags, config); all share one private `epmd` port and one Erlang cookie (a `.erlang.cookie` in each
node's HOME, mode 400, owned by the user the node runs as: `rabbitmq` when the harness is root). The start
script is told it runs under systemd so that it execs the Erlang VM: the process started here *is* the node,
and a SIGKILL to it is a crash. Nodes 2 and 3 join node 1 with `rabbitmqctl stop_app / join_cluster / start_app`;
a node killed later restarts on the same data and rejoins the cluster by itself.
"""

from __future__ import annotations

import glob
import json
import os
import secrets
from pathlib import Path

from .procs import Account, ManagedProcess, log, port_accepts, run, wait_until

RABBITMQ_BIN = Path("/usr/lib/rabbitmq/bin")


def epmd_binary() -> str:
    found = sorted(glob.glob("/usr/lib/erlang/erts-*/bin/epmd"))
    if not found:
        raise RuntimeError("epmd was not found (is erlang-base installed?)")
    return found[-1]


class RabbitNode:
    def __init__(self, cluster: "RabbitCluster", index: int, amqp_port: int, dist_port: int):
        self.cluster = cluster
        self.index = index
        self.name = f"kaiten-topology-{index}@localhost"
        self.amqp_port = amqp_port
        self.dist_port = dist_port
        self.directory = cluster.root / f"node{index}"
        self.home = self.directory / "home"
        self.process: ManagedProcess | None = None

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.amqp_port}/"

    def environment(self) -> dict[str, str]:
        loopback_dist = "-kernel inet_dist_use_interface {127,0,0,1}"
        return {
            "PATH": "/usr/bin:/bin:/usr/sbin:/sbin",
            "HOME": str(self.home),
            "LANG": "C.UTF-8",
            "ERL_EPMD_PORT": str(self.cluster.epmd_port),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
            "RUNNING_UNDER_SYSTEMD": "true",
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_IP_ADDRESS": "127.0.0.1",
            "RABBITMQ_NODE_PORT": str(self.amqp_port),
            "RABBITMQ_DIST_PORT": str(self.dist_port),
            "RABBITMQ_MNESIA_BASE": str(self.directory / "mnesia"),
            "RABBITMQ_LOG_BASE": str(self.directory / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.directory / "enabled_plugins"),
            "RABBITMQ_FEATURE_FLAGS_FILE": str(self.directory / "feature_flags"),
            "RABBITMQ_CONFIG_FILE": str(self.directory / "rabbitmq"),
            "RABBITMQ_CONF_ENV_FILE": "/dev/null",
            "RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS": loopback_dist,
            "RABBITMQ_CTL_ERL_ARGS": loopback_dist,
        }

    def prepare(self) -> None:
        account = self.cluster.account
        self.home.mkdir(parents=True)
        cookie = self.home / ".erlang.cookie"
        cookie.write_text(self.cluster.cookie)
        os.chmod(cookie, 0o400)
        (self.directory / "enabled_plugins").write_text("[].\n")
        (self.directory / "rabbitmq.conf").write_text("loopback_users.guest = true\n")
        for path in [self.directory, self.home, cookie, self.directory / "enabled_plugins", self.directory / "rabbitmq.conf"]:
            account.own(path)
        os.chmod(self.directory, 0o755)
        self.process = ManagedProcess(
            f"rabbitmq-{self.index}",
            self.cluster.account.setpriv() + [str(RABBITMQ_BIN / "rabbitmq-server")],
            self.environment(),
            self.cluster.log_dir / f"rabbitmq-{self.index}.log",
            cwd=self.directory,
        )

    def launch(self) -> None:
        self.process.start()

    def wait_ready(self, timeout: float) -> None:
        def ready() -> bool:
            if not self.process.alive():
                raise RuntimeError(f"RabbitMQ node {self.name} exited while starting:\n{self.process.log_tail()}")
            return port_accepts(self.amqp_port)

        wait_until(ready, f"RabbitMQ node {self.name} to accept AMQP", timeout, interval=0.25)

    def kill(self) -> None:
        self.process.kill()

    def ctl(self, *arguments: str, timeout: float = 180, check: bool = True):
        """rabbitmqctl against this node, as the node's user, with the node's HOME (so the same cookie)."""
        argv = self.cluster.account.setpriv() + [str(RABBITMQ_BIN / "rabbitmqctl"), "-n", self.name, *arguments]
        return run(argv, f"rabbitmqctl {' '.join(arguments)} on {self.name}", timeout=timeout, env=self.environment(), check=check)


class RabbitCluster:
    def __init__(self, root: Path, log_dir: Path, ports: list[tuple[int, int]], epmd_port: int):
        self.root = root
        self.log_dir = log_dir
        self.account = Account.for_service("rabbitmq")
        self.cookie = "KAITENTOPOLOGY" + secrets.token_hex(8).upper()
        self.epmd_port = epmd_port
        self.nodes = [RabbitNode(self, index + 1, amqp, dist) for index, (amqp, dist) in enumerate(ports)]
        self.epmd: ManagedProcess | None = None

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def start(self, timeout: float) -> None:
        if not (RABBITMQ_BIN / "rabbitmq-server").exists():
            raise RuntimeError("rabbitmq-server is not installed (scripts/install-prerequisites installs it)")
        self.root.mkdir(parents=True)
        os.chmod(self.root, 0o755)
        self._start_epmd()
        for node in self.nodes:
            node.prepare()
            node.launch()
        for node in self.nodes:
            node.wait_ready(timeout)
            log(f"RabbitMQ node {node.name} accepts AMQP on 127.0.0.1:{node.amqp_port}")
        seed = self.nodes[0]
        for node in self.nodes[1:]:
            node.ctl("stop_app")
            node.ctl("join_cluster", seed.name)
            node.ctl("start_app")
            log(f"{node.name} joined {seed.name}")
        self.wait_all_running(timeout)

    def _start_epmd(self) -> None:
        """The cluster's own epmd, in the foreground so that the harness owns (and stops) it."""
        self.epmd = ManagedProcess(
            "epmd",
            self.account.setpriv() + [epmd_binary(), "-port", str(self.epmd_port), "-address", "127.0.0.1"],
            {"PATH": "/usr/bin:/bin", "HOME": str(self.root)},
            self.log_dir / "epmd.log",
        )
        self.epmd.start()
        wait_until(lambda: port_accepts(self.epmd_port), "epmd to listen", 30)

    def running_nodes(self) -> set[str]:
        """The running members as the first live node that answers sees them."""
        for node in self.nodes:
            if not node.process.alive():
                continue
            result = node.ctl("cluster_status", "--formatter", "json", check=False, timeout=120)
            if result.returncode == 0:
                try:
                    return set(json.loads(result.stdout).get("running_nodes", []))
                except ValueError:
                    pass
        return set()

    def wait_all_running(self, timeout: float) -> None:
        expected = {node.name for node in self.nodes}
        wait_until(lambda: self.running_nodes() >= expected, "all three RabbitMQ nodes running in one cluster", timeout, interval=1)
        log(f"RabbitMQ cluster running: {', '.join(sorted(expected))}")

    def stop(self) -> None:
        for node in self.nodes:
            if node.process is not None:
                node.kill()
        if self.epmd is not None:
            self.epmd.kill()
