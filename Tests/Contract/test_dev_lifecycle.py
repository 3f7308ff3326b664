"""`kaiten dev` as a person uses it: start, Ctrl-C, start again on the same data directory."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import httpx
import pytest
from conftest import kaiten_binary, start_kaiten_dev
from kaitencloud import KaitenClient, KaitenPlatformClient


def processes_mentioning(text: str) -> dict[int, str]:
    """Live processes whose command line contains `text` (zombies have an empty one)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if text in cmdline:
            found[int(entry.name)] = cmdline
    return found


def postgres_processes(data_dir: Path) -> dict[int, str]:
    return {
        pid: cmdline
        for pid, cmdline in processes_mentioning(str(data_dir)).items()
        if "postgres" in cmdline.split(" ", 1)[0]
    }


def wait_until_gone(data_dir: Path, timeout: float) -> dict[int, str]:
    deadline = time.monotonic() + timeout
    while (left := processes_mentioning(str(data_dir))) and time.monotonic() < deadline:
        time.sleep(0.1)
    return left


@pytest.fixture
def dev_dir():
    # Not tmp_path: PostgreSQL runs as `postgres` when the suite runs as root, and must be able to reach
    # the data directory, which pytest's 0700 base directory would prevent.
    directory = Path(tempfile.mkdtemp(prefix="kaiten-dev-lifecycle-"))
    os.chmod(directory, 0o755)
    yield directory / "data"
    shutil.rmtree(directory, ignore_errors=True)


def test_ctrl_c_stops_everything_and_a_restart_reuses_the_credentials(dev_dir):
    first = start_kaiten_dev(dev_dir)
    try:
        credentials = (dev_dir / "credentials.json").read_bytes()
        assert oct((dev_dir / "credentials.json").stat().st_mode & 0o777) == "0o600"
        postgres = postgres_processes(dev_dir)
        assert postgres, "the embedded PostgreSQL should be running from the data directory"

        with KaitenClient(base_url=first.core_url, token=first.org_token, max_retries=0) as client:
            customer = client.customers.create(name="Survives restarts")
        with KaitenPlatformClient(base_url=first.platform_url, token=first.platform_token, max_retries=0) as platform:
            assert platform.organizations.get(first.organization_id).external_id == "kaiten-dev"
    finally:
        code = first.stop()

    assert code == 0, first.log_path.read_text()[-3000:]
    left = wait_until_gone(dev_dir, timeout=2)
    assert not left, f"processes left running after Ctrl-C: {left}"

    second = start_kaiten_dev(dev_dir)
    try:
        assert (dev_dir / "credentials.json").read_bytes() == credentials
        assert second.org_token == first.org_token
        assert second.platform_token == first.platform_token
        assert second.jwt_secret == first.jwt_secret
        assert second.organization_id == first.organization_id

        with KaitenClient(base_url=second.core_url, token=second.org_token, max_retries=0) as client:
            assert client.customers.get(customer.slug).id == customer.id
        with KaitenPlatformClient(base_url=second.platform_url, token=second.platform_token, max_retries=0) as platform:
            assert platform.me().scopes == ["write:*"]
    finally:
        assert second.stop() == 0
    assert not wait_until_gone(dev_dir, timeout=2)


def test_postgres_does_not_outlive_a_killed_server(dev_dir):
    server = start_kaiten_dev(dev_dir)
    try:
        assert postgres_processes(dev_dir)
        server.process.send_signal(signal.SIGKILL)
        server.process.wait(timeout=10)
        left = wait_until_gone(dev_dir, timeout=15)
        assert not left, f"PostgreSQL outlived a killed `kaiten dev`: {left}"
    finally:
        if server.process.poll() is None:
            server.process.kill()

    # The next start recovers the cluster and the credentials.
    again = start_kaiten_dev(dev_dir)
    try:
        assert again.org_token == server.org_token
        response = httpx.get(f"{again.core_url}/customers", headers={"Authorization": f"Bearer {again.org_token}"})
        assert response.status_code == 200
    finally:
        assert again.stop() == 0
    assert not wait_until_gone(dev_dir, timeout=2)


@pytest.mark.parametrize("arguments", [["--postgres-port", "0"], ["--port", "70000"], ["--platform-port", "65536"]])
def test_a_port_that_cannot_be_used_is_refused_before_anything_starts(dev_dir, arguments):
    result = subprocess.run([kaiten_binary(), "dev", "--data-dir", str(dev_dir), *arguments], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert f"{arguments[0]} {arguments[1]} is not a port" in result.stderr
    assert not dev_dir.exists()
