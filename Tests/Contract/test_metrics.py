"""`/metrics`: what an operator's Prometheus scrapes, parsed with prometheus_client's own parser."""

from __future__ import annotations

import httpx
import pytest
from kaitencloud import ThresholdExceededError
from prometheus_client.parser import text_string_to_metric_families

from conftest import wait_for
from test_instances import licensing  # noqa: F401 -- the fixture that grants and creates instances


def scrape(kaiten) -> dict[str, list]:
    response = httpx.get(kaiten.platform_url.removesuffix("/api") + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {family.name: family.samples for family in text_string_to_metric_families(response.text)}


def value(samples: list, name: str, **labels: str) -> float:
    return sum(s.value for s in samples if s.name == name and all(s.labels.get(k) == v for k, v in labels.items()))


def test_requests_usage_reports_and_events_are_counted(kaiten, client, organization, core_http, licensing):  # noqa: F811
    before = scrape(kaiten)
    licensing.grant("seats", 2, overage=0, warning=80)
    licensing.instance("prod")
    _, token = organization
    report = {"value": {"type": "number", "value": 1}, "behavior": "append", "transactionId": "metrics-1"}
    for _ in range(2):  # the second is a replay of the first
        assert core_http(token).post("instances/prod/entitlements/seats/usage", json=report).status_code == 200
    client.instances.report_usage("prod", "seats", 1)
    with pytest.raises(ThresholdExceededError):
        client.instances.report_usage("prod", "seats", 1)

    def counted(family: str, name: str, **labels: str) -> float:
        return value(scrape(kaiten).get(family, []), name, **labels) - value(before.get(family, []), name, **labels)

    assert counted("kaiten_usage_reports", "kaiten_usage_reports_total", outcome="accepted") == 2
    assert counted("kaiten_usage_reports", "kaiten_usage_reports_total", outcome="replayed") == 1
    assert counted("kaiten_usage_reports", "kaiten_usage_reports_total", outcome="refused") == 1

    route = "/api/instances/{instanceSlug}/entitlements/{entitlementSlug}/usage"
    durations = scrape(kaiten)["http_server_request_duration"]
    assert value(durations, "http_server_request_duration_count", http_route=route, http_response_status_code="409") >= 1
    assert value(durations, "http_server_request_duration_bucket", http_route=route, le="+Inf") >= 4

    # kaiten dev's in-process pipeline publishes what the API wrote and its consumers take it.
    wait_for(lambda: counted("kaiten_events_published", "kaiten_events_published_total", relay="poll") >= 5, "events published")
    wait_for(lambda: counted("kaiten_events_consumed", "kaiten_events_consumed_total", outcome="processed") >= 5, "events consumed")


def test_the_outbox_backlog_and_the_pool_are_measured(kaiten, client):
    client.customers.create(name="Backlog", slug="metrics-backlog")
    # The polling relay counts what is left after each batch; once it has caught up, nothing is.
    wait_for(lambda: value(scrape(kaiten).get("kaiten_outbox_backlog_events", []), "kaiten_outbox_backlog_events") == 0, "an empty backlog")
    samples = scrape(kaiten)
    assert value(samples["kaiten_db_pool_connections_max"], "kaiten_db_pool_connections_max") > 0
    assert 0 <= value(samples["kaiten_db_transactions_active"], "kaiten_db_transactions_active") <= value(
        samples["kaiten_db_pool_connections_max"], "kaiten_db_pool_connections_max"
    )
    client.customers.delete("metrics-backlog")
