"""Traces end to end: a `kaiten dev` with OTEL_ENABLED exports its spans over OTLP/HTTP (JSON) to a receiver
here, and one trace runs from the caller's request through the outbox, the relay and the worker's consumers
to the webhook attempt, each span the child of the one before; and the delivery's latency is measured."""

from __future__ import annotations

import base64
import json
import os
import tempfile
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import start_kaiten_dev, wait_for
from test_webhooks import WEBHOOK_ENV, create_endpoint, new_org, receiver  # noqa: F401 -- receiver is a fixture


class SpanCollector:
    """An OTLP/HTTP receiver: keeps every span posted to /v1/traces, by trace id."""

    def __init__(self):
        self.spans: list[dict] = []
        self.lock = threading.Lock()
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 -- http.server's naming
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                if self.path == "/v1/traces":
                    collector.add(json.loads(body))
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def add(self, document: dict) -> None:
        with self.lock:
            for resource in document.get("resourceSpans", []):
                for scope in resource.get("scopeSpans", []):
                    for span in scope.get("spans", []):
                        span["traceId"], span["spanId"] = hex_id(span["traceId"]), hex_id(span["spanId"])
                        span["parentSpanId"] = hex_id(span.get("parentSpanId", ""))
                        self.spans.append(span)

    def trace(self, trace_id: str) -> list[dict]:
        with self.lock:
            return [span for span in self.spans if span["traceId"] == trace_id]


def hex_id(value: str) -> str:
    """OTLP/JSON ids are hex; protobuf's JSON mapping would give base64. Either way, hex."""
    if value == "" or all(c in "0123456789abcdef" for c in value):
        return value
    return base64.b64decode(value).hex()


@pytest.fixture(scope="module")
def collector():
    spans = SpanCollector()
    yield spans
    spans.server.shutdown()
    spans.server.server_close()


@pytest.fixture(scope="module")
def traced_kaiten(collector):
    with tempfile.TemporaryDirectory(prefix="kaiten-traces-") as directory:
        os.chmod(directory, 0o755)
        env = {
            **WEBHOOK_ENV,
            "OTEL_ENABLED": "true",
            "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
            "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json",
            "OTEL_BSP_SCHEDULE_DELAY": "100",
        }
        server = start_kaiten_dev(Path(directory) / "data", env=env)
        try:
            yield server
        finally:
            server.stop()


def test_one_trace_runs_from_the_request_to_the_webhook_attempt(traced_kaiten, collector, receiver):  # noqa: F811
    org = new_org(traced_kaiten)
    create_endpoint(org, receiver.url("/traced"), eventTypes=["com.kaiten.customer.v1.created"])
    trace_id, caller_span = uuid.uuid4().hex, uuid.uuid4().hex[:16]
    answer = org.api.post(
        "/customers", json={"name": "Traced", "slug": "traced"}, headers={"traceparent": f"00-{trace_id}-{caller_span}-01"}
    )
    assert answer.status_code == 201, answer.text
    wait_for(lambda: receiver.to("/traced"), "the webhook delivery")

    def chain_to_the_caller():
        """The names from the attempt's span up its parents, once every one of them has been exported."""
        spans = {span["spanId"]: span for span in collector.trace(trace_id)}
        attempts = [span for span in spans.values() if span["name"] == "webhook.deliver"]
        if not attempts:
            return None
        chain, span = [], attempts[0]
        while span is not None:
            chain.append(span["name"])
            parent = span["parentSpanId"]
            span = spans.get(parent)
        return chain if parent == caller_span else None

    def audit_consumed():
        return any(span["name"] == "audit-trail process" for span in collector.trace(trace_id))

    # Spans are exported as they end, in batches: the attempt's can arrive before an ancestor's (the relay's span
    # ends once both consumers are done, and the delivery does not wait for the audit trail's).
    wait_for(lambda: chain_to_the_caller() and audit_consumed(), "the attempt's span, its ancestors up to the caller's, and the audit trail's")
    chain = chain_to_the_caller()
    spans = {span["spanId"]: span for span in collector.trace(trace_id)}
    assert list(reversed(chain)) == [
        "POST /api/customers",
        "db.transaction",
        "outbox.publish",
        "outbox.relay",
        "webhooks process",
        "db.transaction",  # the consumer's inbox transaction, in which the fan-out records the message
        "webhook.deliver",
    ]
    # The audit trail's consumer continues the same relay span.
    relay = next(s for s in spans.values() if s["name"] == "outbox.relay")
    assert any(s["name"] == "audit-trail process" and s["parentSpanId"] == relay["spanId"] for s in spans.values())
    server = next(s for s in spans.values() if s["name"] == "POST /api/customers")
    attributes = {a["key"]: a["value"] for a in server.get("attributes", [])}
    assert attributes["http.route"] == {"stringValue": "/api/customers"}
    assert "url.path" not in attributes, "paths can carry secrets (a console sign-in link), so none is recorded"


def test_a_delivery_s_latency_is_measured(traced_kaiten, receiver):  # noqa: F811
    org = new_org(traced_kaiten)
    create_endpoint(org, receiver.url("/measured"), eventTypes=["com.kaiten.customer.v1.created"])
    assert org.api.post("/customers", json={"name": "Measured", "slug": "measured"}).status_code == 201
    wait_for(lambda: receiver.to("/measured"), "the webhook delivery")
    metrics = httpx.get(traced_kaiten.platform_url.removesuffix("/api") + "/metrics").text
    families = {family.name: family.samples for family in text_string_to_metric_families(metrics)}
    latency = families["kaiten_webhook_delivery_latency_seconds"]
    assert sum(s.value for s in latency if s.name == "kaiten_webhook_delivery_latency_seconds_count") >= 1
