"""Webhooks end to end: a live `kaiten dev` (private destinations allowed, retry schedule compressed to
seconds) delivers the events of real API operations to a local receiver, and every delivery is verified
with the libraries Kaiten's users have -- the official SDK's `verify_webhook` (which must also parse it into
its typed event model), Svix's and Standard Webhooks' -- and checked against the outbox it came from."""

from __future__ import annotations

import os
import signal
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import psycopg
import pytest
import standardwebhooks.webhooks
import svix.webhooks
from kaitencloud import KaitenClient, KaitenPlatformClient
from kaitencloud.webhooks import WEBHOOK_EVENTS, UnknownWebhookEvent, verify_webhook

from conftest import start_kaiten_dev, wait_for

WEBHOOK_ENV = {
    "KAITEN_WEBHOOKS_ALLOW_PRIVATE": "1",
    "KAITEN_WEBHOOKS_RETRY_SCHEDULE": "0s,1s,2s,3s",
    "KAITEN_WEBHOOKS_RETRY_JITTER": "0",
    "KAITEN_WEBHOOKS_ATTEMPT_TIMEOUT": "3s",
}


@dataclass
class Delivery:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A threaded HTTP server that records every request and answers from a per-path script (then 200)."""

    server: ThreadingHTTPServer
    deliveries: list[Delivery] = field(default_factory=list)
    scripts: dict[str, list[int]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}{path}"

    def to(self, path: str) -> list[Delivery]:
        with self.lock:
            return [d for d in self.deliveries if d.path == path]


@pytest.fixture
def receiver():
    state: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 -- http.server's naming
            body = self.rfile.read(int(self.headers.get("content-length", 0)))
            owner: Receiver = state["receiver"]
            with owner.lock:
                owner.deliveries.append(Delivery(self.path, {k.lower(): v for k, v in self.headers.items()}, body, time.monotonic()))
                script = owner.scripts.get(self.path, [])
                status = script.pop(0) if script else 200
            self.send_response(status)
            self.send_header("content-length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["receiver"] = Receiver(server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["receiver"]
    server.shutdown()
    server.server_close()


def start_webhook_kaiten(directory: Path):
    os.chmod(directory, 0o755)
    return start_kaiten_dev(directory / "data", env=WEBHOOK_ENV)


@pytest.fixture(scope="module")
def webhook_kaiten():
    """A `kaiten dev` of its own, since webhooks to loopback need KAITEN_WEBHOOKS_ALLOW_PRIVATE."""
    with tempfile.TemporaryDirectory(prefix="kaiten-webhooks-") as directory:
        server = start_webhook_kaiten(Path(directory))
        try:
            yield server
        finally:
            server.stop()


@dataclass
class Org:
    id: str
    token: str
    client: KaitenClient
    api: httpx.Client


def new_org(server) -> Org:
    with KaitenPlatformClient(base_url=server.platform_url, token=server.platform_token, max_retries=0) as platform:
        external_id = f"org_{uuid.uuid4().hex[:12]}"
        org = platform.organizations.ensure(external_id=external_id, name=f"Webhooks {external_id}")
        token = platform.tokens.mint(org.id, name="webhooks-suite").token
    client = KaitenClient(base_url=server.core_url, token=token, max_retries=0)
    api = httpx.Client(base_url=server.core_url, headers={"authorization": f"Bearer {token}"})
    return Org(org.id, token, client, api)


@pytest.fixture
def org(webhook_kaiten):
    organization = new_org(webhook_kaiten)
    yield organization
    organization.client.close()
    organization.api.close()


def create_endpoint(org: Org, url: str, **extra) -> tuple[str, str]:
    answer = org.api.post("/webhooks/endpoints", json={"url": url, **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"], answer.json()["secret"]


def outbox_ids(server, organization_id: str, since: str) -> dict[str, str]:
    """The organization's events written from `since` on: id -> type."""
    with psycopg.connect(server.postgres_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT id::text, event_type FROM outbox_events WHERE organization_id = %s AND occurred_at >= %s", (organization_id, since)
        ).fetchall()
    return dict(rows)


def drive_the_api(org: Org) -> None:
    """Real operations across the implemented modules: customers, entitlements, licenses, instances, usage."""
    client = org.client
    client.customers.create(name="Globex", slug="globex")
    client.customers.update("globex", name="Globex Corporation")
    client.customers.create(name="Short Lived", slug="short-lived")
    client.customers.delete("short-lived")
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    client.entitlements.update("seats", name="Seats (named)", type="NUMBER")
    license = client.licenses.create(name="Growth", type="PAID", slug="growth")
    client.licenses.associate_entitlement("growth", "seats", 3, overage_percent=0)
    customer = client.customers.get("globex")
    client.instances.create(
        name="Production", slug="prod", customer_id=customer.id, license_id=license.id,
        start_license_date=datetime(2026, 1, 1, tzinfo=timezone.utc), end_license_date=datetime(2030, 1, 1, tzinfo=timezone.utc),
    )
    for _ in range(3):
        client.instances.report_usage("prod", "seats", 1)
    try:
        client.instances.report_usage("prod", "seats", 1)
    except Exception as refused:  # the cap refuses the fourth seat, and says so in an event
        assert getattr(refused, "status_code", None) == 409
    client.instances.get_usage("prod", "seats")


def test_every_delivery_verifies_with_the_sdk_svix_and_standard_webhooks(webhook_kaiten, org, receiver):
    endpoint_id, secret = create_endpoint(org, receiver.url("/kaiten"), description="everything")
    created_at = org.api.get(f"/webhooks/endpoints/{endpoint_id}").json()["createdAt"]
    drive_the_api(org)
    # Every event from the endpoint's creation on; the token minted just before may or may not reach it.
    expected = outbox_ids(webhook_kaiten, org.id, since=created_at)
    assert len(expected) >= 15
    wait_for(lambda: expected.keys() <= {d.headers["svix-id"] for d in receiver.to("/kaiten")}, f"{len(expected)} deliveries")
    time.sleep(0.5)
    deliveries = [d for d in receiver.to("/kaiten") if d.headers["svix-id"] in expected]
    assert len(deliveries) == len(expected), "each event delivered once"

    svix_verifier = svix.webhooks.Webhook(secret)
    standard_verifier = standardwebhooks.webhooks.Webhook(secret)
    parsed_types = set()
    for delivery in deliveries:
        svix_headers = {k: v for k, v in delivery.headers.items() if k.startswith("svix-")}
        standard_headers = {k: v for k, v in delivery.headers.items() if k.startswith("webhook-")}
        for headers in (svix_headers, standard_headers):
            event = verify_webhook(delivery.body, headers, secret=secret)
            assert not isinstance(event, UnknownWebhookEvent), delivery.body
            assert type(event) is WEBHOOK_EVENTS[event.type]
            assert event.type == expected[delivery.headers["svix-id"]]
        svix_verifier.verify(delivery.body, svix_headers)
        payload = standard_verifier.verify(delivery.body, standard_headers)
        assert set(payload) == {"name", "type", "data"}
        parsed_types.add(event.type)
    assert {
        "com.kaiten.customer.v1.created", "com.kaiten.customer.v1.updated", "com.kaiten.customer.v1.deleted",
        "com.kaiten.entitlement.v1.created", "com.kaiten.license.v1.created", "com.kaiten.license.entitlement.v1.assigned",
        "com.kaiten.instance.v1.created", "com.kaiten.instance.entitlement.v1.usage_report_accepted",
        "com.kaiten.instance.entitlement.v1.usage_report_rejected", "com.kaiten.instance.entitlement.v1.value_get",
    } <= parsed_types
    assert parsed_types == set(expected.values())

    with pytest.raises(Exception):
        verify_webhook(deliveries[0].body, {k: v for k, v in deliveries[0].headers.items() if k.startswith("svix-")}, secret="whsec_" + "A" * 32)


def test_a_receiver_failing_three_times_shows_four_attempts_spaced_by_the_schedule(org, receiver):
    endpoint_id, _ = create_endpoint(org, receiver.url("/flaky"), eventTypes=["com.kaiten.customer.v1.created"])
    receiver.scripts["/flaky"] = [500, 502, 503]
    org.client.customers.create(name="Initech", slug="initech")
    wait_for(lambda: len(receiver.to("/flaky")) == 4, "four attempts")
    arrivals = [d.at for d in receiver.to("/flaky")]
    for gap, scheduled in zip([b - a for a, b in zip(arrivals, arrivals[1:])], [1, 2, 3]):
        # never early; the upper bound only catches a schedule not followed at all on a loaded machine
        assert scheduled - 0.05 <= gap < scheduled + 3, (gap, scheduled)
    wait_for(lambda: len(org.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json()["items"]) == 4, "four recorded attempts")
    attempts = list(reversed(org.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json()["items"]))
    assert [a["responseStatusCode"] for a in attempts] == [500, 502, 503, 200]
    assert [a["attemptNumber"] for a in attempts] == [1, 2, 3, 4]
    assert [a["succeeded"] for a in attempts] == [False, False, False, True]
    assert len({d.headers["svix-id"] for d in receiver.to("/flaky")}) == 1
    messages = org.api.get(f"/webhooks/endpoints/{endpoint_id}/messages").json()["items"]
    assert [(m["eventType"], m["status"], m["attempts"]) for m in messages] == [("com.kaiten.customer.v1.created", "succeeded", 4)]


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "not a url"}, "CreateWebhookEndpoint.InvalidURL"),
        ({"url": "ftp://files.example.com/hook"}, "CreateWebhookEndpoint.InvalidURL"),
        ({"url": "https://hooks.example.com", "eventTypes": ["com.kaiten.nothing.v1.happened"]}, "CreateWebhookEndpoint.UnknownEventType"),
        ({"url": "https://hooks.example.com", "secret": "not-a-whsec"}, "CreateWebhookEndpoint.InvalidSecret"),
        ({"url": "https://hooks.example.com", "secret": "whsec_dG9vc2hvcnQ="}, "CreateWebhookEndpoint.InvalidSecret"),
    ],
)
def test_bad_input_is_a_problem_with_a_stable_code_and_stores_nothing(org, body, code):
    answer = org.api.post("/webhooks/endpoints", json=body)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == code and answer.json()["errorId"]
    assert org.api.get("/webhooks/endpoints").json()["items"] == []


def test_killing_kaiten_mid_retry_loses_nothing(receiver):
    with tempfile.TemporaryDirectory(prefix="kaiten-webhooks-restart-") as directory:
        server = start_webhook_kaiten(Path(directory))
        try:
            organization = new_org(server)
            endpoint_id, secret = create_endpoint(organization, receiver.url("/restart"), eventTypes=["com.kaiten.customer.v1.created"])
            receiver.scripts["/restart"] = [503]
            organization.client.customers.create(name="Tyrell", slug="tyrell")
            wait_for(lambda: len(receiver.to("/restart")) == 1, "the first attempt")
            wait_for(
                lambda: len(organization.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json()["items"]) == 1,
                "the failed attempt recorded",
            )
            organization.client.close()
            organization.api.close()
            server.process.send_signal(signal.SIGKILL)
            server.process.wait(timeout=30)
            server = start_kaiten_dev(Path(directory) / "data", env=WEBHOOK_ENV)
            wait_for(lambda: len(receiver.to("/restart")) == 2, "the retry after the restart")
            retried = receiver.to("/restart")[1]
            assert retried.headers["svix-id"] == receiver.to("/restart")[0].headers["svix-id"]
            assert verify_webhook(retried.body, retried.headers, secret=secret).type == "com.kaiten.customer.v1.created"
        finally:
            server.stop()


def test_management_responses_match_the_served_document(webhook_kaiten, org, receiver):
    """The webhook operations are ours, not the contract's: their live answers must match what the served
    OpenAPI document says of them."""
    from jsonschema import Draft202012Validator

    document = httpx.get(f"{webhook_kaiten.core_url}/openapi.json").json()

    def check(path: str, method: str, status: str, body) -> None:
        schema = document["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
        Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(body)

    created = org.api.post("/webhooks/endpoints", json={"url": receiver.url("/shapes"), "eventTypes": ["com.kaiten.customer.v1.created"]})
    check("/webhooks/endpoints", "post", "201", created.json())
    endpoint_id = created.json()["id"]
    org.client.customers.create(name="Shapes", slug="shapes")
    wait_for(lambda: len(receiver.to("/shapes")) == 1, "the delivery")
    wait_for(lambda: org.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json()["items"], "the attempt recorded")
    check("/webhooks/endpoints", "get", "200", org.api.get("/webhooks/endpoints").json())
    check("/webhooks/endpoints/{endpointId}", "get", "200", org.api.get(f"/webhooks/endpoints/{endpoint_id}").json())
    check("/webhooks/event-types", "get", "200", org.api.get("/webhooks/event-types").json())
    messages = org.api.get(f"/webhooks/endpoints/{endpoint_id}/messages").json()
    check("/webhooks/endpoints/{endpointId}/messages", "get", "200", messages)
    check("/webhooks/endpoints/{endpointId}/attempts", "get", "200", org.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json())
    message_id = messages["items"][0]["id"]
    retried = org.api.post(f"/webhooks/endpoints/{endpoint_id}/messages/{message_id}/retry")
    assert retried.status_code == 202
    check("/webhooks/endpoints/{endpointId}/messages/{messageId}/retry", "post", "202", retried.json())
    wait_for(lambda: len(org.api.get(f"/webhooks/endpoints/{endpoint_id}/attempts").json()["items"]) == 2, "the retry")
    rotated = org.api.post(f"/webhooks/endpoints/{endpoint_id}/secret/rotate")
    check("/webhooks/endpoints/{endpointId}/secret/rotate", "post", "200", rotated.json())
    since = (datetime.now(timezone.utc) - timedelta(hours=1)).isoformat()
    replayed = org.api.post(f"/webhooks/endpoints/{endpoint_id}/replay", json={"since": since})
    assert replayed.status_code == 202 and replayed.json()["messages"] == 1
    check("/webhooks/endpoints/{endpointId}/replay", "post", "202", replayed.json())
    tested = org.api.post(f"/webhooks/endpoints/{endpoint_id}/test")
    check("/webhooks/endpoints/{endpointId}/test", "post", "202", tested.json())
    replaced = org.api.put(f"/webhooks/endpoints/{endpoint_id}", json={"url": receiver.url("/shapes"), "enabled": False})
    check("/webhooks/endpoints/{endpointId}", "put", "200", replaced.json())
