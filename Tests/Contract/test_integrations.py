"""Integrations through the SDK: a customer's and an instance's links to third-party records
(`client.customers.*_integration`, `client.instances.*_integration`), and the connector's view of them by
record id (`client.integrations`), with every refusal a client can meet."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
from kaitencloud import BadRequestError, ConflictError, NotFoundError, UnprocessableEntityError

ATTIO = "kaiten.integration.crm.attio"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2027, 1, 1, tzinfo=timezone.utc)


@pytest.fixture
def license_id(client):
    return client.licenses.create(name="Growth", type="PAID", slug="growth").id


def test_customer_links_with_every_argument_and_with_only_the_required_ones(client, outbox_events, organization):
    customer = client.customers.create(
        name="Globex", slug="globex", integrations={ATTIO: {"external_id": "rec_1", "metadata": {"tier": "gold"}}}
    )
    assert customer.integrations[ATTIO].external_id == "rec_1"
    assert customer.integrations[ATTIO].metadata == {"tier": "gold"}
    assert client.customers.get("globex").integrations[ATTIO].synced_at == customer.integrations[ATTIO].synced_at
    created = [e for e in outbox_events(organization[0].id) if e["name"] == "CUSTOMER_CREATED"]
    assert created[-1]["data"]["integrations"][ATTIO]["external_id"] == "rec_1"

    hubspot = "kaiten.integration.crm.hubspot"
    full = client.customers.create_integration(
        "globex", hubspot, external_id="hs-1", metadata={"owner": "ann"}, web_url="https://app.hubspot.com/1", last_error="stale"
    )
    assert (full.external_id, full.metadata, full.web_url, full.last_error) == ("hs-1", {"owner": "ann"}, "https://app.hubspot.com/1", "stale")
    assert client.customers.get_integration("globex", hubspot) == full

    minimal = client.customers.update_integration("globex", hubspot, external_id="hs-2")
    assert (minimal.external_id, minimal.web_url, minimal.last_error) == ("hs-2", None, None)
    assert minimal.synced_at >= full.synced_at
    full_update = client.customers.update_integration(
        "globex", hubspot, external_id="hs-3", metadata={"a": 1}, web_url="http://crm.example/3", last_error="late"
    )
    assert full_update.metadata == {"a": 1} and full_update.web_url == "http://crm.example/3"

    client.customers.create(name="Plain", slug="plain")
    only_required = client.customers.create_integration("plain", hubspot, external_id="hs-9")
    assert only_required.metadata == {} and only_required.web_url is None

    client.customers.delete_integration("globex", hubspot)
    with pytest.raises(NotFoundError) as caught:
        client.customers.get_integration("globex", hubspot)
    assert caught.value.code == "GetCustomerIntegration.NotFound"
    assert not [e for e in outbox_events(organization[0].id) if e["name"] == "CUSTOMER_UPDATED"]


def test_customer_links_refuse_what_would_break_them(client, core_http, organization, assert_problem):
    client.customers.create(name="Acme", slug="acme")
    client.customers.create(name="Globex", slug="globex")
    client.customers.create_integration("acme", ATTIO, external_id="rec_1")

    with pytest.raises(ConflictError) as caught:
        client.customers.create_integration("acme", ATTIO, external_id="rec_2")
    assert caught.value.code == "CreateCustomerIntegration.AlreadyExists"
    with pytest.raises(ConflictError) as caught:
        client.customers.create_integration("globex", ATTIO, external_id="rec_1")
    assert caught.value.code == "CreateCustomerIntegration.ExternalIDConflict"
    with pytest.raises(ConflictError) as caught:
        client.customers.create(name="Initech", integrations={ATTIO: {"external_id": "rec_1"}})
    assert caught.value.code == "CreateCustomer.ExternalIDConflict"
    assert "Initech" not in [c.name for c in client.customers.list()]
    # The same record id in another adapter is another record.
    assert client.customers.create_integration("globex", "kaiten.integration.crm.pipedrive", external_id="rec_1")

    with pytest.raises(BadRequestError) as caught:
        client.customers.update_integration("acme", ATTIO, external_id="rec_1", web_url="javascript:alert(1)")
    assert caught.value.code == "UpdateCustomerIntegration.InvalidWebURL"
    with pytest.raises(NotFoundError) as caught:
        client.customers.update_integration("acme", "kaiten.integration.crm.unknown", external_id="x")
    assert caught.value.code == "UpdateCustomerIntegration.NotFound"
    with pytest.raises(NotFoundError) as caught:
        client.customers.delete_integration("nobody", ATTIO)
    assert caught.value.code == "DeleteCustomerIntegration.CustomerNotFound"
    assert client.customers.get_integration("acme", ATTIO).external_id == "rec_1"

    http = core_http(organization[1])
    assert_problem(http.post(f"customers/acme/integrations/{ATTIO}x", json={"metadata": {}}), 422, "UNPROCESSABLE")
    assert_problem(http.get("customers/acme/integrations/%20"), 400, "GetCustomerIntegration.InvalidIntegrationName")
    changed = http.put("customers/acme", json={"name": "Acme", "integrations": {ATTIO: {"external_id": "rec_9"}}})
    assert_problem(changed, 422, "UpdateCustomer.IntegrationsNotSettable")


def test_instance_links_with_every_argument_and_with_only_the_required_ones(client, license_id):
    customer = client.customers.create(name="Acme", slug="acme")
    instance = client.instances.create(
        name="Prod", slug="prod", customer_id=customer.id, license_id=license_id, start_license_date=START,
        end_license_date=END, integrations={ATTIO: {"external_id": "ws_1", "web_url": "https://attio.com/ws/1"}},
    )
    assert instance.integrations[ATTIO].web_url == "https://attio.com/ws/1"
    assert client.instances.get_integration("prod", ATTIO).external_id == "ws_1"

    hubspot = "kaiten.integration.crm.hubspot"
    full = client.instances.create_integration(
        "prod", hubspot, external_id="d-1", metadata={"seats": 3}, web_url="https://hubspot.com/d/1", last_error="x"
    )
    assert (full.metadata, full.last_error) == ({"seats": 3}, "x")
    minimal = client.instances.update_integration("prod", hubspot, external_id="d-2")
    assert (minimal.external_id, minimal.metadata, minimal.last_error) == ("d-2", {}, None)
    full_update = client.instances.update_integration(
        "prod", hubspot, external_id="d-3", metadata={"b": True}, web_url="https://hubspot.com/d/3", last_error="e"
    )
    assert client.instances.get_integration("prod", hubspot) == full_update
    client.instances.delete_integration("prod", hubspot)
    with pytest.raises(NotFoundError) as caught:
        client.instances.delete_integration("prod", hubspot)
    assert caught.value.code == "DeleteInstanceIntegration.NotFound"

    other = client.instances.create(
        name="Staging", customer_id=customer.id, license_id=license_id, start_license_date=START, end_license_date=END
    )
    assert other.integrations is None
    assert client.instances.create_integration(other.slug, hubspot, external_id="d-9").web_url is None
    with pytest.raises(ConflictError) as caught:
        client.instances.create_integration(other.slug, ATTIO, external_id="ws_1")
    assert caught.value.code == "CreateInstanceIntegration.ExternalIDConflict"
    with pytest.raises(NotFoundError) as caught:
        client.instances.get_integration("nope", ATTIO)
    assert caught.value.code == "GetInstanceIntegration.InstanceNotFound"


def test_a_connector_syncs_customers_by_record_id(client, outbox_events, organization):
    with pytest.raises(NotFoundError) as caught:
        client.integrations.get_customer("crm.unknown", "rec_1")
    assert caught.value.code == "Integration.CustomerNotFound"
    with pytest.raises(BadRequestError) as caught:
        client.integrations.upsert_customer("crm.attio", "rec_1")
    assert caught.value.code == "UpsertIntegration.CustomerNameRequired"

    created = client.integrations.upsert_customer(
        "crm.attio", "rec_1", name="Hooli", slug="hooli", domain="hooli.xyz", web_url="https://app.attio.com/r/1",
        error="first sync", integration_metadata={"stage": "lead"},
    )
    assert (created.name, created.slug, created.domain, created.web_url, created.error) == (
        "Hooli", "hooli", "hooli.xyz", "https://app.attio.com/r/1", "first sync"
    )
    assert created.integration_metadata == {"stage": "lead"}
    assert client.customers.get_integration("hooli", ATTIO).external_id == "rec_1"
    assert client.integrations.get_customer("crm.attio", "rec_1") == created

    only_required = client.integrations.upsert_customer("crm.attio", "rec_1")
    assert only_required == created, "an empty body changes nothing"
    renamed = client.integrations.upsert_customer("crm.attio", "rec_1", name="Hooli XYZ", error="")
    assert renamed.name == "Hooli XYZ" and renamed.error is None and renamed.domain == "hooli.xyz"
    names = [e["name"] for e in outbox_events(organization[0].id)]
    assert names.count("CUSTOMER_CREATED") == 1 and names.count("CUSTOMER_UPDATED") == 1

    client.customers.create(name="Acme", slug="acme")
    with pytest.raises(ConflictError) as caught:
        client.integrations.upsert_customer("crm.attio", "rec_1", slug="acme")
    assert caught.value.code == "Integration.CustomerSlugConflict"
    with pytest.raises(BadRequestError) as caught:
        client.integrations.upsert_customer("crm.attio", "rec_1", web_url="not a url")
    assert caught.value.code == "UpsertIntegration.InvalidWebURL"
    with pytest.raises(UnprocessableEntityError):
        client.integrations.upsert_customer("crm.attio", "rec_1", domain="NOT A DOMAIN")


def test_a_connector_syncs_instances_under_their_customer(client, license_id, outbox_events, organization):
    client.customers.create(name="Acme", slug="acme")
    with pytest.raises(NotFoundError) as caught:
        client.integrations.upsert_instance(
            "crm.attio", "ws_1", name="Prod", description="eu", customer_external_id="rec_acme", license_id=license_id,
            start_license_date=START, end_license_date=END,
        )
    assert caught.value.code == "Integration.CustomerNotFound"
    client.customers.create_integration("acme", ATTIO, external_id="rec_acme")
    with pytest.raises(BadRequestError) as caught:
        client.integrations.upsert_instance("crm.attio", "ws_1", name="Prod", customer_external_id="rec_acme")
    assert caught.value.code == "UpsertIntegration.InstanceDescriptionRequired"

    created = client.integrations.upsert_instance(
        "crm.attio", "ws_1", name="Prod", slug="prod", description="eu", customer_external_id="rec_acme",
        license_id=license_id, start_license_date=START, end_license_date=END, metadata={"region": "eu"},
        web_url="https://attio.com/ws/1", error="none yet", integration_metadata={"plan": "pro"},
    )
    assert (created.slug, created.description, created.customer_external_id, created.license_id) == (
        "prod", "eu", "rec_acme", license_id
    )
    assert created.integration_metadata == {"plan": "pro"} and created.web_url == "https://attio.com/ws/1"
    assert created.start_license_date == START and created.end_license_date == END
    assert client.instances.get("prod").metadata == {"region": "eu"}
    assert client.integrations.get_instance("crm.attio", "ws_1") == created

    assert client.integrations.upsert_instance("crm.attio", "ws_1") == created, "an empty body changes nothing"
    moved = client.integrations.upsert_instance("crm.attio", "ws_1", description="eu-west", end_license_date="2028-01-01T00:00:00Z")
    assert moved.description == "eu-west" and moved.end_license_date == datetime(2028, 1, 1, tzinfo=timezone.utc)
    names = [e["name"] for e in outbox_events(organization[0].id)]
    assert names.count("INSTANCE_CREATED") == 1 and names.count("INSTANCE_UPDATED") == 1

    with pytest.raises(NotFoundError) as caught:
        client.integrations.get_instance("crm.attio", "ws_unknown")
    assert caught.value.code == "Integration.InstanceNotFound"
    with pytest.raises(NotFoundError) as caught:
        client.integrations.upsert_instance("crm.attio", "ws_1", license_id=str(uuid.uuid4()))
    assert caught.value.code == "UpdateInstance.LicenseNotFound"
