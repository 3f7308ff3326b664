"""Instances and usage metering through the SDK's `client.instances`: CRUD, status and lifecycle patches,
metering until the license refuses a report, usage reads, and every error a client can meet."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    ThresholdExceededError,
    UnprocessableEntityError,
)

START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2027, 1, 1, tzinfo=timezone.utc)


class Licensing:
    """An organization's customer and license, with grants written by SQL: the license and entitlement
    operations have suites of their own."""

    def __init__(self, client, organization_id: str, db):
        self.client = client
        self.organization_id = organization_id
        self.db = db
        self.customer = client.customers.create(name="Acme", slug="acme")
        self.license_id = self.license("growth")

    def license(self, slug: str, state: str = "PUBLISHED") -> str:
        family_id, license_id = str(uuid.uuid4()), str(uuid.uuid4())
        self.db.execute(
            "INSERT INTO license_family (id, organization_id, slug) VALUES (%s, %s, %s)", (family_id, self.organization_id, slug)
        )
        self.db.execute(
            "INSERT INTO license (id, organization_id, family_id, name, slug, type, version, version_name, lifecycle_state) "
            "VALUES (%s, %s, %s, %s, %s, 'PAID', 1, 'Version - 1', %s)",
            (license_id, self.organization_id, family_id, slug.title(), slug, state),
        )
        return license_id

    def grant(self, slug: str, value, *, type: str = "NUMBER", overage: int | None = None, warning: int = 0, reset: str | None = None):
        entitlement_id = str(uuid.uuid4())
        number = type in ("NUMBER", "NUMBER_AI_CREDIT")
        self.db.execute(
            "INSERT INTO entitlement (id, organization_id, name, slug, type, aggregation_method, warning_threshold_percent, "
            "reset_period, reset_anchor) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)",
            (entitlement_id, self.organization_id, slug.title(), slug, type, "SUM" if number else None, warning, reset,
             "CALENDAR" if reset else None),
        )
        kind = "number" if number else "boolean" if type == "BOOLEAN" else "object"
        if number and overage is None:
            overage = -1 if value == -1 else 0
        import json

        self.db.execute(
            "INSERT INTO license_entitlement (organization_id, license_id, entitlement_id, value, limit_cap_exceeded_overage_percent) "
            "VALUES (%s, %s, %s, %s::jsonb, %s)",
            (self.organization_id, self.license_id, entitlement_id, json.dumps({"type": kind, "value": value}), overage),
        )
        return entitlement_id

    def instance(self, slug: str, **extra):
        return self.client.instances.create(
            name=slug.title(), slug=slug, customer_id=self.customer.id, license_id=self.license_id,
            start_license_date=START, end_license_date=END, **extra,
        )


@pytest.fixture
def licensing(client, organization, db):
    org, _ = organization
    return Licensing(client, org.id, db)


def event_names(outbox_events, organization_id: str) -> list[str]:
    return [event["name"] for event in outbox_events(organization_id)]


def test_an_instance_goes_through_its_life(client, licensing, outbox_events, db):
    created = licensing.instance("prod", description="Production", metadata={"region": "eu"})
    assert created.slug == "prod"
    assert created.status == "HEALTHY"
    assert created.customer_slug == "acme" and created.license_slug == "growth"
    assert created.start_license_date == START and created.end_license_date == END
    assert created.metadata == {"region": "eu"}
    assert client.instances.get("prod").model_dump() == created.model_dump()
    assert [instance.slug for instance in client.instances.list()] == ["prod"]

    zone = str(uuid.uuid4())
    db.execute(
        "INSERT INTO deployment_zone (id, organization_id, name, slug, type) VALUES (%s, %s, 'EU', 'eu', 'production')",
        (zone, licensing.organization_id),
    )
    assert client.instances.update(
        "prod", name="Production", slug="production", customer_id=licensing.customer.id, license_id=licensing.license_id,
        start_license_date=START, end_license_date=END + timedelta(days=365), deployment_zone_id=zone,
    ) is None
    updated = client.instances.get("production")
    assert updated.id == created.id
    assert updated.deployment_zone_slug == "eu"
    assert updated.description == "" and updated.metadata == {}
    with pytest.raises(NotFoundError):
        client.instances.get("prod")

    client.instances.update_status("production", "MAINTENANCE")
    client.instances.update_lifecycle_stage("production", "ACTIVE")
    patched = client.instances.get("production")
    assert (patched.status, patched.lifecycle_stage) == ("MAINTENANCE", "ACTIVE")

    client.instances.delete("production")
    with pytest.raises(NotFoundError) as missing:
        client.instances.get("production")
    assert missing.value.code == "GetInstance.NotFound"

    names = event_names(outbox_events, licensing.organization_id)
    # The events of one write share its instant, so only their set is ordered.
    instance_events = sorted(name for name in names if name.startswith("INSTANCE_"))
    assert instance_events == sorted([
        "INSTANCE_CREATED", "INSTANCE_UPDATED", "INSTANCE_DEPLOYED", "INSTANCE_STATUS_CHANGED", "INSTANCE_UPDATED",
        "INSTANCE_LIFECYCLE_STAGE_CHANGED", "INSTANCE_UPDATED", "INSTANCE_DELETED",
    ])
    headers = db.execute(
        "SELECT DISTINCT headers->>'instance_id' FROM outbox_events WHERE organization_id = %s AND event_name LIKE 'INSTANCE_%%'",
        (licensing.organization_id,),
    ).fetchall()
    assert headers == [(created.id,)]


def test_creating_an_instance_refuses_what_does_not_resolve(client, licensing, organization, core_http, assert_problem):
    _, token = organization

    def create(**overrides):
        arguments = dict(
            name="Prod", customer_id=licensing.customer.id, license_id=licensing.license_id,
            start_license_date=START, end_license_date=END,
        )
        arguments.update(overrides)
        return client.instances.create(**arguments)

    for field, code in [
        ("customer_id", "CreateInstance.CustomerNotFound"),
        ("license_id", "CreateInstance.LicenseNotFound"),
        ("deployment_zone_id", "CreateInstance.DeploymentZoneNotFound"),
    ]:
        with pytest.raises(NotFoundError) as refused:
            create(**{field: str(uuid.uuid4())})
        assert refused.value.code == code
        assert refused.value.error_id

    with pytest.raises(UnprocessableEntityError) as archived:
        create(license_id=licensing.license("legacy", state="ARCHIVED"))
    assert archived.value.code == "CreateInstance.LicenseArchived"

    create(slug="prod")
    with pytest.raises(ConflictError) as taken:
        create(slug="prod")
    assert taken.value.code == "CreateInstance.SlugConflict"

    # The SDK never sends integrations on an update; a raw client can.
    refused = core_http(token).put(
        "/instances/prod",
        json={
            "name": "Prod", "description": "", "customerId": licensing.customer.id, "licenseId": licensing.license_id,
            "startLicenseDate": "2026-01-01T00:00:00Z", "endLicenseDate": "2027-01-01T00:00:00Z",
            "integrations": {"crm.attio": {"external_id": "rec_1"}},
        },
    )
    assert_problem(refused, 422, "UpdateInstance.IntegrationsNotSettable")


def test_metering_until_the_license_refuses_a_report(client, licensing, outbox_events):
    licensing.grant("seats", 5, overage=0, warning=80)
    licensing.instance("prod")
    totals = [client.instances.report_usage("prod", "seats", 1).value.value for _ in range(5)]
    assert totals == [1, 2, 3, 4, 5]
    with pytest.raises(ThresholdExceededError) as refused:
        client.instances.report_usage("prod", "seats", 1)
    assert refused.value.code == "ReportEntitlementUsageMetric.ThresholdExceeded"
    assert refused.value.status_code == 409

    usage = client.instances.get_usage("prod", "seats")
    assert usage.value.value == 5 and usage.value.event_count == 5
    assert usage.limit.value == 5
    assert usage.entitlement_slug == "seats" and usage.license_slug == "growth"
    assert usage.current_period_start is None and usage.current_period_end is None

    corrected = client.instances.report_usage("prod", "seats", 2, behavior="set")
    assert (corrected.value.value, corrected.value.event_count) == (2, 1)

    names = event_names(outbox_events, licensing.organization_id)
    assert names.count("ENTITLEMENT_USAGE_REPORT_ACCEPTED") == 6
    assert names.count("ENTITLEMENT_USAGE_REPORT_REJECTED") == 1
    assert names.count("INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED") == 1
    assert names.count("INSTANCE_ENTITLEMENT_USAGE_REACHED") == 1
    assert names.count("ENTITLEMENT_VALUE_GET") == 1


def test_a_soft_limit_serves_its_overage_and_a_window_reports_its_bounds(client, licensing, outbox_events):
    licensing.grant("calls", 10, overage=20, reset="MONTH")
    licensing.instance("prod")
    over = client.instances.report_usage("prod", "calls", 12, metadata={"source": "contract"})
    assert over.value.value == 12
    now = datetime.now(timezone.utc)
    assert over.current_period_start == datetime(now.year, now.month, 1, tzinfo=timezone.utc)
    assert over.current_period_end > now
    with pytest.raises(ThresholdExceededError):
        client.instances.report_usage("prod", "calls", 1)
    exceeded = [e for e in outbox_events(licensing.organization_id) if e["name"] == "INSTANCE_ENTITLEMENT_CAP_EXCEEDED"]
    assert [e["data"] for e in exceeded] == [{"entitlement_slug": "calls", "threshold": 10, "value": 12, "overage": 2}]


def test_usage_of_every_grant_is_listed(client, licensing):
    licensing.grant("seats", 10)
    licensing.grant("tokens", -1, type="NUMBER_AI_CREDIT")
    licensing.grant("sso", True, type="BOOLEAN")
    licensing.instance("prod")
    client.instances.report_usage("prod", "seats", 3)
    rows = {row.entitlement_slug: row for row in client.instances.list_usage("prod")}
    assert set(rows) == {"seats", "tokens", "sso"}
    assert (rows["seats"].value.value, rows["seats"].value.event_count) == (3, 1)
    assert (rows["tokens"].value.value, rows["tokens"].value.event_count) == (0, 0)
    assert rows["tokens"].limit.value == -1
    assert rows["sso"].value.value is True and rows["sso"].limit.value is True


def test_usage_errors_name_what_is_wrong(client, licensing, db):
    licensing.grant("seats", 10)
    licensing.grant("sso", True, type="BOOLEAN")
    db.execute(
        "INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method) VALUES (%s, 'Other', 'other', 'NUMBER', 'SUM')",
        (licensing.organization_id,),
    )
    licensing.instance("prod")
    with pytest.raises(NotFoundError) as unassigned:
        client.instances.report_usage("prod", "other", 1)
    assert unassigned.value.code == "ReportEntitlementUsageMetric.ContextNotFound"
    with pytest.raises(BadRequestError) as boolean:
        client.instances.report_usage("prod", "sso", 1)
    assert boolean.value.code == "ReportEntitlementUsageMetric.UnsupportedEntitlementType"
    for instance, entitlement, code in [
        ("nope", "seats", "GetEntitlementUsageMetrics.InstanceNotFound"),
        ("prod", "nope", "GetEntitlementUsageMetrics.EntitlementNotFound"),
        ("prod", "other", "GetEntitlementUsageMetrics.EntitlementNotAssigned"),
    ]:
        with pytest.raises(NotFoundError) as missing:
            client.instances.get_usage(instance, entitlement)
        assert missing.value.code == code
    with pytest.raises(NotFoundError) as no_instance:
        client.instances.list_usage("nope")
    assert no_instance.value.code == "GetEntitlementsUsageMetrics.InstanceNotFound"


def test_a_transaction_id_makes_a_retry_safe(licensing, organization, core_http, assert_problem):
    _, token = organization
    licensing.grant("seats", 10)
    licensing.instance("prod")
    http = core_http(token)
    path = "/instances/prod/entitlements/seats/usage"
    report = {"value": {"type": "number", "value": 2}, "behavior": "append", "transactionId": "evt-1"}
    first = http.post(path, json=report)
    assert first.status_code == 200 and "idempotent-replayed" not in first.headers
    retry = http.post(path, json=report)
    assert retry.status_code == 200 and retry.headers["idempotent-replayed"] == "true"
    assert retry.json() == first.json()
    reused = assert_problem(http.post(path, json={**report, "value": {"type": "number", "value": 3}}), 409,
                            "ReportEntitlementUsageMetric.TransactionIdReused")
    assert reused["errors"][0]["location"] == "body.transactionId"
    assert reused["errors"][0]["value"]["value"] == 2
    assert_problem(http.post(path, json={**report, "transactionId": "has space"}), 422, "ReportEntitlementUsageMetric.InvalidTransactionId")
    assert_problem(http.post(path, json={"value": {"type": "number", "value": 1}}), 422, "ReportEntitlementUsageMetric.InvalidBehavior")
    assert_problem(http.post(path, json={"value": {"type": "boolean", "value": True}, "behavior": "set"}), 422,
                   "ReportEntitlementUsageMetric.InvalidValueType")
    assert_problem(http.post(path, json={**report, "transactionId": "evt-2", "unknown": 1}), 422, "UNPROCESSABLE")
    dropped = http.post(path, json={"value": {"type": "number", "value": 1}, "behavior": "append", "metadata": {"blob": "x" * 5000}})
    assert dropped.status_code == 200 and dropped.headers["kaiten-metadata-dropped"] == "too_large"
    assert dropped.json()["value"] == {"type": "number", "value": 3, "event_count": 2}


def test_another_organization_sees_nothing(client, licensing, platform, kaiten):
    from kaitencloud import KaitenClient

    licensing.grant("seats", 10)
    licensing.instance("prod")
    org = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}")
    token = platform.tokens.mint(org.id, name="other", scopes=["read:instances"]).token
    with KaitenClient(base_url=kaiten.core_url, token=token, max_retries=0) as other:
        assert other.instances.list() == []
        with pytest.raises(NotFoundError):
            other.instances.get("prod")
        with pytest.raises(NotFoundError):
            other.instances.get_usage("prod", "seats")
        with pytest.raises(PermissionDeniedError) as forbidden:
            other.instances.report_usage("prod", "seats", 1)
        assert forbidden.value.code == "Auth.MissingScope"
