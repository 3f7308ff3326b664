"""Fixtures that run a real `kaiten dev` (embedded PostgreSQL included) for the contract suite.

The suite drives the live server the way users do: through the official `kaitencloud` SDK, and raw HTTP
where the point is what a client can send that the SDK would not. The binary is `KAITEN_BIN`, or the debug
build of this checkout.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]

# Records the SDK methods the suite calls, and fails a full run that leaves one uncovered (sdk_coverage.py).
pytest_plugins = ["sdk_coverage"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class KaitenDev:
    """A running `kaiten dev` and the credentials it printed."""

    process: subprocess.Popen
    data_dir: Path
    core_url: str
    platform_url: str
    org_token: str
    platform_token: str
    jwt_secret: str
    organization_id: str
    postgres_url: str
    log_path: Path

    def stop(self, timeout: float = 30) -> int:
        """Ctrl-C, as a person would, and wait for the process to exit."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=timeout)


def kaiten_binary() -> str:
    return os.environ.get("KAITEN_BIN", str(ROOT / ".build" / "debug" / "kaiten"))


def start_kaiten_dev(data_dir: Path, timeout: float = 120, env: dict[str, str] | None = None) -> KaitenDev:
    """Starts `kaiten dev` on free ports; `env` adds variables (such as KAITEN_WEBHOOKS_*) to the environment."""
    binary = kaiten_binary()
    api_port, platform_port, pg_port = free_port(), free_port(), free_port()
    log_path = data_dir.parent / f"{data_dir.name}.log"
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [
            binary, "dev",
            "--data-dir", str(data_dir),
            "--port", str(api_port),
            "--platform-port", str(platform_port),
            "--postgres-port", str(pg_port),
            "--log-level", "info",
        ],
        stdout=log,
        stderr=log,
        env={**os.environ, **env} if env else None,
    )
    core_url = f"http://127.0.0.1:{api_port}/api"
    platform_url = f"http://127.0.0.1:{platform_port}/api"
    deadline = time.monotonic() + timeout
    credentials_file = data_dir / "credentials.json"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"kaiten dev exited with {process.returncode}:\n{log_path.read_text()[-4000:]}")
        try:
            if credentials_file.exists() and httpx.get(f"{platform_url}/platform/me").status_code == 401:
                if httpx.get(f"{core_url}/readyz").status_code == 200:
                    break
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    else:
        process.kill()
        raise RuntimeError(f"kaiten dev did not become ready:\n{log_path.read_text()[-4000:]}")
    credentials = json.loads(credentials_file.read_text())
    return KaitenDev(
        process=process,
        data_dir=data_dir,
        core_url=core_url,
        platform_url=platform_url,
        org_token=credentials["organizationToken"],
        platform_token=credentials["platformToken"],
        jwt_secret=credentials["jwtSecret"],
        organization_id=credentials["organizationID"].lower(),
        postgres_url=f"postgresql://kaiten@127.0.0.1:{pg_port}/kaiten",
        log_path=log_path,
    )


@contextlib.contextmanager
def running_kaiten_dev(prefix: str):
    """A `kaiten dev` of its own, in a fresh temporary directory, stopped and removed afterwards."""
    with tempfile.TemporaryDirectory(prefix=prefix) as directory:
        # When the suite runs as root, PostgreSQL runs as `postgres` and must be able to reach the data
        # directory: mkdtemp's 0700 would lock it out.
        os.chmod(directory, 0o755)
        server = start_kaiten_dev(Path(directory) / "data")
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture(scope="session")
def kaiten():
    """One `kaiten dev` shared by the whole session."""
    with running_kaiten_dev("kaiten-contract-") as server:
        yield server


@pytest.fixture(scope="session")
def platform(kaiten):
    """The SDK's Platform API client, holding the development platform credential."""
    from kaitencloud import KaitenPlatformClient

    with KaitenPlatformClient(base_url=kaiten.platform_url, token=kaiten.platform_token, max_retries=0) as client:
        yield client


@pytest.fixture
def organization(platform):
    """A fresh organization for one test, ensured through the Platform API, with a minted write:* token."""
    import uuid

    external_id = f"org_{uuid.uuid4().hex[:12]}"
    org = platform.organizations.ensure(external_id=external_id, name=f"Test {external_id}")
    token = platform.tokens.mint(org.id, name="contract-suite")
    return org, token.token


@pytest.fixture
def client(kaiten, organization):
    """The SDK's Core API client for a fresh organization."""
    from kaitencloud import KaitenClient

    _, token = organization
    with KaitenClient(base_url=kaiten.core_url, token=token, max_retries=0) as client:
        yield client


def wait_for(condition, what: str, timeout: float = 30):
    """Waits until `condition()` holds: what the in-process pipeline delivers arrives after the write answers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


# --- Helpers for the contract tests (added with the Foundation suite) -------------------------------------

KAITEN_ROOT_NAMESPACE = "eb025416-6f74-4684-97e9-83e99784aaa5"


def _b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@pytest.fixture(scope="session")
def sign_jwt(kaiten):
    """Sign JWT claims with HS256, as an identity provider sharing the server's secret would.

    `sign_jwt(claims)` signs with the server's secret; `secret=` signs with another key and `alg=` puts
    another algorithm in the header (the signature is still HMAC-SHA256 unless alg is "none").
    """
    import hashlib
    import hmac

    def sign(claims: dict, *, secret: str | None = None, alg: str = "HS256") -> str:
        key = (kaiten.jwt_secret if secret is None else secret).encode()
        header = _b64url(json.dumps({"alg": alg, "typ": "JWT"}).encode())
        payload = _b64url(json.dumps(claims).encode())
        if alg == "none":
            return f"{header}.{payload}."
        signature = _b64url(hmac.new(key, f"{header}.{payload}".encode(), hashlib.sha256).digest())
        return f"{header}.{payload}.{signature}"

    return sign


@pytest.fixture(scope="session")
def decode_jwt():
    """The (header, claims) of a JWT, without checking anything."""

    def decode(token: str) -> tuple[dict, dict]:
        header, payload, _ = token.split(".")
        return json.loads(_b64url_decode(header)), json.loads(_b64url_decode(payload))

    return decode


@pytest.fixture(scope="session")
def kaiten_ids():
    """The deterministic ids of §7.3: `kaiten_ids.organization(external_id)`, `kaiten_ids.user(sub)`."""
    import types
    import uuid

    root = uuid.UUID(KAITEN_ROOT_NAMESPACE)
    organization_namespace = uuid.uuid5(root, "organization")
    user_namespace = uuid.uuid5(root, "user")
    return types.SimpleNamespace(
        organization=lambda external_id: str(uuid.uuid5(organization_namespace, external_id.strip())),
        user=lambda sub: str(uuid.uuid5(user_namespace, sub.strip())),
    )


@pytest.fixture(scope="session")
def core_http(kaiten):
    """`core_http(token)`: a raw httpx client on the Core API (`/api/`), for what the SDK would not send."""
    clients: list[httpx.Client] = []

    def make(token: str | None = None, **headers: str) -> httpx.Client:
        all_headers = dict(headers)
        if token is not None:
            all_headers["Authorization"] = f"Bearer {token}"
        client = httpx.Client(base_url=kaiten.core_url + "/", headers=all_headers, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def platform_http(kaiten):
    """`platform_http(token)`: a raw httpx client on the Platform API (`/api/`)."""
    clients: list[httpx.Client] = []

    def make(token: str | None = None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
        client = httpx.Client(base_url=kaiten.platform_url + "/", headers=headers, timeout=30)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def core_client(kaiten):
    """`core_client(token)`: an SDK KaitenClient on this server with any credential (closed at the end)."""
    from kaitencloud import KaitenClient

    clients: list = []

    def make(token: str) -> KaitenClient:
        client = KaitenClient(base_url=kaiten.core_url, token=token, max_retries=0)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture(scope="session")
def assert_problem():
    """Check an httpx response is an RFC 9457 problem with `status` and `code`; returns the parsed body."""
    import uuid

    # §8.2: `type` is chosen by status, `title` is the status's reason phrase.
    types_by_status = {
        400: ("https://tools.ietf.org/html/rfc7231#section-6.5.1", "Bad Request"),
        401: ("https://tools.ietf.org/html/rfc7235#section-3.1", "Unauthorized"),
        403: ("https://tools.ietf.org/html/rfc7231#section-6.5.3", "Forbidden"),
        404: ("https://tools.ietf.org/html/rfc7231#section-6.5.4", "Not Found"),
        409: ("https://tools.ietf.org/html/rfc7231#section-6.5.8", "Conflict"),
        413: ("https://tools.ietf.org/html/rfc9110#section-15.5.14", "Content Too Large"),
        415: ("https://tools.ietf.org/html/rfc9110#section-15.5.16", "Unsupported Media Type"),
        422: ("https://tools.ietf.org/html/rfc4918#section-11.2", "Unprocessable Entity"),
    }

    def check(response: httpx.Response, status: int, code: str | None = None) -> dict:
        assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text[:500]}"
        assert response.headers.get("content-type", "").split(";")[0].strip() == "application/problem+json", response.headers
        body = response.json()
        assert body["status"] == status
        assert isinstance(body.get("title"), str) and body["title"]
        assert isinstance(body.get("type"), str) and body["type"]
        assert isinstance(body.get("detail"), str)
        assert body.get("instance") == response.request.url.raw_path.decode().split("?")[0]
        uuid.UUID(body["errorId"])
        if status in types_by_status:
            assert (body["type"], body["title"]) == types_by_status[status], body
        if code is not None:
            assert body.get("code") == code, body
        return body

    return check


@pytest.fixture(scope="session")
def db(kaiten):
    """The server's PostgreSQL (autocommit): a peek at effects no API exposes (the outbox), and a way to let
    time pass for a row (a session's end) without waiting for it."""
    import psycopg

    with psycopg.connect(kaiten.postgres_url, autocommit=True) as connection:
        yield connection


@pytest.fixture(scope="session")
def outbox_events(db):
    """`outbox_events(organization_id)`: the organization's outbox rows, oldest first, as dicts."""

    def fetch(organization_id: str) -> list[dict]:
        rows = db.execute(
            "SELECT event_name, event_type, data, occurred_at FROM outbox_events "
            "WHERE organization_id = %s ORDER BY occurred_at, id",
            (organization_id,),
        ).fetchall()
        return [{"name": r[0], "type": r[1], "data": r[2], "occurred_at": r[3]} for r in rows]

    return fetch


@pytest.fixture(scope="session")
def issue_platform_credential(kaiten):
    """`issue_platform_credential(*scopes)`: a new ksm_ credential, issued the operator's way
    (`kaiten platform-token create` against the server's database)."""
    import uuid

    binary = kaiten_binary()

    def issue(*scopes: str) -> str:
        result = subprocess.run(
            [binary, "platform-token", "create", "--name", f"contract-{uuid.uuid4().hex[:8]}", "--scopes", *scopes],
            env={**os.environ, "KAITEN_DATABASE_URL": kaiten.postgres_url},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 0, result.stderr
        for line in result.stdout.splitlines():
            if line.startswith("token:"):
                return line.split(":", 1)[1].strip()
        raise AssertionError(f"no token in output: {result.stdout!r}")

    return issue


@pytest.fixture(scope="session")
def console(kaiten):
    """A headless Chromium signed in to the shared server's console through the one-time link `kaiten dev`
    printed, as a developer would click it."""
    from console_support import Console, start_chromium

    driver = start_chromium()
    try:
        origin = kaiten.core_url.removesuffix("/api")
        link = (kaiten.data_dir / "console-sign-in-link").read_text().strip()
        driver.get(link)
        assert driver.current_url == f"{origin}/console/dashboard", driver.current_url
        yield Console(driver, origin)
    finally:
        driver.quit()


@pytest.fixture(scope="session")
def dev_client(kaiten):
    """The SDK's Core API client for the development organization, the one the console is signed in to."""
    from kaitencloud import KaitenClient

    with KaitenClient(base_url=kaiten.core_url, token=kaiten.org_token, max_retries=0) as client:
        yield client
