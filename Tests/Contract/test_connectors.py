"""Connectors through the SDK: the platform registers them (`platform.connectors.register`), each
organization turns them on, configures and reads them (`client.connectors`). Connector names are unique per
test: the registry is deployment-wide and the server is shared by the session."""

from __future__ import annotations

import uuid

import pytest
from kaitencloud import BadRequestError, NotFoundError, PermissionDeniedError

SCHEMA = {
    "type": "object",
    "required": ["workspace", "apiKey"],
    "properties": {"workspace": {"type": "string", "minLength": 1}, "apiKey": {"type": "string", "writeOnly": True}},
    "additionalProperties": False,
}


def connector_name() -> str:
    return f"kaiten.integration.test.c{uuid.uuid4().hex[:10]}"


def test_an_organization_turns_a_connector_on_and_reads_its_state(client, platform):
    name = connector_name()
    unknown = client.connectors.get_state(name)
    assert (unknown.available, unknown.entitled, unknown.activated, unknown.version, unknown.activated_at) == (
        False, False, False, None, None
    )
    with pytest.raises(NotFoundError) as caught:
        client.connectors.activate(name)
    assert caught.value.code == "ActivateConnector.NotRegistered"
    with pytest.raises(NotFoundError) as caught:
        client.connectors.get(name)
    assert caught.value.code == "GetConnector.NotFound"

    registered = platform.connectors.register(name=name, version="1.0.0", settings_schema=SCHEMA)
    assert name in [c.name for c in client.connectors.list()]
    assert client.connectors.get(name) == registered
    schema = client.connectors.get_settings_schema(name)
    assert (schema.connector_name, schema.version, schema.json_schema) == (name, "1.0.0", SCHEMA)

    activation = client.connectors.activate(name)
    assert activation.connector_name == name
    assert client.connectors.activate(name).activated_at == activation.activated_at
    state = client.connectors.get_state(name)
    assert (state.available, state.entitled, state.activated, state.version) == (True, True, True, "1.0.0")
    assert state.activated_at == activation.activated_at

    client.connectors.deactivate(name)
    client.connectors.deactivate(name)
    client.connectors.deactivate(connector_name())  # never refused, even for a connector nobody registered
    assert client.connectors.get_state(name).activated is False
    with pytest.raises(BadRequestError) as caught:
        client.connectors.get_state("Not.A.Connector")
    assert caught.value.code == "GetConnectorState.InvalidConnectorName"


def test_activation_is_refused_unless_a_license_grants_the_connectors_entitlement(client, platform):
    name = connector_name()
    slug = f"connector-{uuid.uuid4().hex[:8]}"
    platform.connectors.register(name=name, version="1.0.0", settings_schema=SCHEMA, entitlement_slug=slug)
    with pytest.raises(PermissionDeniedError) as caught:
        client.connectors.activate(name)
    assert caught.value.code == "ActivateConnector.NotEntitled"
    with pytest.raises(PermissionDeniedError) as caught:
        client.connectors.update_settings(name, {"workspace": "acme", "apiKey": "sk"})
    assert caught.value.code == "UpdateConnectorSettings.NotEntitled"
    with pytest.raises(NotFoundError):
        client.connectors.get_settings(name)
    assert client.connectors.get_state(name).entitled is False

    client.entitlements.create(name="Attio connector", slug=slug, type="BOOLEAN")
    license = client.licenses.create(name="Enterprise", type="PAID", slug=f"ent-{uuid.uuid4().hex[:6]}")
    client.licenses.associate_entitlement(license.slug, slug, True)
    assert client.connectors.get_state(name).entitled is True
    assert client.connectors.activate(name).connector_name == name


def test_settings_hide_their_secrets_and_keep_them_when_sent_back(client, platform):
    name = connector_name()
    platform.connectors.register(name=name, version="2.0.0", settings_schema=SCHEMA)
    with pytest.raises(NotFoundError) as caught:
        client.connectors.get_settings(name)
    assert caught.value.code == "GetConnectorSettings.NotFound"

    saved = client.connectors.update_settings(name, {"workspace": "acme", "apiKey": "sk-secret"})
    assert saved.connector_name == name and saved.settings == {"workspace": "acme", "apiKey": "***"}
    assert client.connectors.get_settings(name) == saved
    assert client.connectors.get_state(name).activated is True, "configuring a connector turns it on"

    echoed = client.connectors.update_settings(name, {"workspace": "globex", "apiKey": "***"})
    assert echoed.settings == {"workspace": "globex", "apiKey": "***"}
    assert client.connectors.update_settings(name, {"workspace": "initech"}).settings["apiKey"] == "***"

    with pytest.raises(BadRequestError) as caught:
        client.connectors.update_settings(name, {"workspace": "", "unknown": 1})
    assert caught.value.code == "UpdateConnectorSettings.InvalidPayloadSchema"
    with pytest.raises(BadRequestError) as caught:
        client.connectors.update_settings(name, {})
    assert caught.value.code == "UpdateConnectorSettings.InvalidPayload"
    assert client.connectors.get_settings(name).settings["workspace"] == "initech"

    client.connectors.delete_settings(name)
    client.connectors.delete_settings(name)
    with pytest.raises(NotFoundError):
        client.connectors.get_settings(name)
    assert client.connectors.get_state(name).activated is False
