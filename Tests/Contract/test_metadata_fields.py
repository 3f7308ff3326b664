"""Metadata fields through the SDK's `client.metadata_fields`: the seven operations, their refusals and events."""

from __future__ import annotations

import base64
import json
import uuid

import pytest
from kaitencloud import ConflictError, NotFoundError, PermissionDeniedError, UnprocessableEntityError

SYSTEM_USER = "00000000-0000-0000-0000-000000000001"
REGION = {"type": "string", "enum": ["eu", "us"]}


def declare(client, key: str, schema: dict | None = None, resource_type: str = "INSTANCE", **extra):
    return client.metadata_fields.create(
        resource_type=resource_type, key=key, label=key.title(), json_schema=schema or {"type": "string"}, **extra
    )


def field_events(outbox_events, organization_id: str) -> list[dict]:
    return [e for e in outbox_events(organization_id) if e["name"].startswith("METADATA_FIELD_")]


def test_create_returns_the_field(client, organization, outbox_events):
    org, _ = organization
    field = declare(client, "region", REGION)
    uuid.UUID(field.id)
    assert (field.resource_type, field.key, field.label) == ("INSTANCE", "region", "Region")
    assert field.json_schema == REGION
    assert field.display_order == 0
    assert field.archived_at is None
    assert field.created_by.id == SYSTEM_USER and field.updated_at == field.created_at
    [event] = field_events(outbox_events, org.id)
    assert (event["name"], event["type"]) == ("METADATA_FIELD_CREATED", "com.kaiten.metadata_field.v1.created")
    assert event["data"]["id"] == field.id and event["data"]["jsonSchema"] == REGION


def test_an_active_key_is_unique_per_resource_type(client):
    declare(client, "region", REGION)
    with pytest.raises(ConflictError) as caught:
        declare(client, "region", {"type": "string"})
    assert caught.value.code == "CreateMetadataField.KeyConflict"
    assert caught.value.error_id
    zone_field = declare(client, "region", resource_type="DEPLOYMENT_ZONE")
    assert zone_field.resource_type == "DEPLOYMENT_ZONE"


@pytest.mark.parametrize(
    ("schema", "code", "locations"),
    [
        ({"type": "strng"}, "MetadataField.SchemaShape.Invalid", ["body.jsonSchema.type"]),
        ({"type": "string", "pattern": "([a-z"}, "MetadataField.SchemaShape.Invalid", ["body.jsonSchema.pattern"]),
        ({"type": "array"}, "MetadataField.SchemaShape.ArrayMissingItems", ["body.jsonSchema"]),
        ({"$ref": "#/$defs/region"}, "MetadataField.SchemaShape.Invalid", ["body.jsonSchema.$ref"]),
        (
            {"type": "object", "properties": {"tags": {"type": "array", "items": {"minLength": -1}}}},
            "MetadataField.SchemaShape.Invalid",
            ["body.jsonSchema.properties.tags.items.minLength"],
        ),
    ],
    ids=["unknown-type", "bad-regex", "array-without-items", "reference", "nested"],
)
def test_a_schema_outside_the_supported_2020_12_subset_is_refused(client, schema, code, locations):
    with pytest.raises(UnprocessableEntityError) as caught:
        declare(client, "bad", schema)
    assert caught.value.code == code
    assert [e.location for e in caught.value.errors] == locations
    assert client.metadata_fields.list("INSTANCE") == []


def test_list_is_in_display_order_across_pages(client, organization, core_http):
    orders = {"a": 3, "b": 1, "c": 1, "d": 0, "e": 2}
    for key, order in orders.items():
        declare(client, key, display_order=order)
    declare(client, "zone-only", resource_type="DEPLOYMENT_ZONE")
    assert [f.key for f in client.metadata_fields.list("INSTANCE")] == ["d", "b", "c", "e", "a"]
    assert [f.key for f in client.metadata_fields.list("DEPLOYMENT_ZONE")] == ["zone-only"]

    _, token = organization
    http = core_http(token)
    first = http.get("metadata-fields", params={"resourceType": "INSTANCE", "limit": 2}).json()
    assert [f["key"] for f in first["items"]] == ["d", "b"] and first["hasMore"] is True
    cursor = json.loads(base64.urlsafe_b64decode(first["nextCursor"] + "=" * (-len(first["nextCursor"]) % 4)))
    assert set(cursor) == {"displayOrder", "createdAt", "id"} and cursor["displayOrder"] == 1
    last = http.get("metadata-fields", params={"resourceType": "INSTANCE", "limit": 3, "cursor": first["nextCursor"]}).json()
    assert [f["key"] for f in last["items"]] == ["c", "e", "a"] and last["hasMore"] is False and "nextCursor" not in last


def test_list_needs_a_resource_type_and_a_cursor_it_issued(organization, core_http, assert_problem):
    _, token = organization
    http = core_http(token)
    missing = assert_problem(http.get("metadata-fields"), 422, "UNPROCESSABLE")
    assert [e["location"] for e in missing["errors"]] == ["query.resourceType"]
    unknown = assert_problem(http.get("metadata-fields", params={"resourceType": "CUSTOMER"}), 422, "UNPROCESSABLE")
    assert unknown["errors"][0]["value"] == "CUSTOMER"
    assert_problem(
        http.get("metadata-fields", params={"resourceType": "INSTANCE", "cursor": "not-a-cursor"}), 400, "MetadataFields.InvalidCursor"
    )


def test_update_changes_label_and_schema(client, organization, outbox_events):
    org, _ = organization
    field = declare(client, "region", REGION)
    updated = client.metadata_fields.update(
        field.id, resource_type="INSTANCE", key="region", label="Hosting region",
        json_schema={"type": "string", "enum": ["eu", "us", "apac"], "description": "Where it runs"},
    )
    assert updated.id == field.id and updated.label == "Hosting region"
    assert updated.json_schema["enum"] == ["eu", "us", "apac"]
    assert updated.created_at == field.created_at and updated.updated_at >= field.updated_at
    assert [e["name"] for e in field_events(outbox_events, org.id)] == ["METADATA_FIELD_CREATED", "METADATA_FIELD_UPDATED"]
    assert field_events(outbox_events, org.id)[-1]["data"]["label"] == "Hosting region"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"json_schema": {"type": "number"}}, "SchemaTransition.TypeChanged"),
        ({"json_schema": {"type": "array", "items": {"type": "string"}}}, "SchemaTransition.TypeChanged"),
        ({"json_schema": {"type": "string"}}, "SchemaTransition.EnumWrapToggled"),
        ({"key": "zone"}, "UpdateMetadataField.KeyImmutable"),
        ({"resource_type": "DEPLOYMENT_ZONE"}, "UpdateMetadataField.ResourceTypeImmutable"),
        ({"json_schema": {"type": "string", "enum": "eu"}}, "MetadataField.SchemaShape.Invalid"),
    ],
    ids=["type", "cardinality", "enum-toggle", "key", "resource-type", "invalid-schema"],
)
def test_update_refuses_changes_that_would_reinterpret_stored_values(client, change, code):
    field = declare(client, "region", REGION)
    arguments = {"resource_type": "INSTANCE", "key": "region", "label": "Region", "json_schema": REGION, **change}
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.update(field.id, **arguments)
    assert caught.value.code == code
    assert client.metadata_fields.list("INSTANCE")[0].json_schema == REGION


def test_array_item_types_cannot_change(client):
    field = declare(client, "tags", {"type": "array", "items": {"type": "string"}})
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.update(
            field.id, resource_type="INSTANCE", key="tags", label="Tags", json_schema={"type": "array", "items": {"type": "integer"}}
        )
    assert caught.value.code == "SchemaTransition.CardinalityChanged"


def test_update_of_an_unknown_or_archived_field(client, organization, core_http, assert_problem):
    with pytest.raises(NotFoundError) as caught:
        client.metadata_fields.update(str(uuid.uuid4()), resource_type="INSTANCE", key="x", label="X", json_schema={})
    assert caught.value.code == "UpdateMetadataField.NotFound"
    field = declare(client, "region")
    client.metadata_fields.archive(field.id)
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.update(field.id, resource_type="INSTANCE", key="region", label="R", json_schema={"type": "string"})
    assert caught.value.code == "UpdateMetadataField.Archived"
    _, token = organization
    problem = assert_problem(
        core_http(token).patch("metadata-fields/region", json={"resourceType": "INSTANCE", "key": "region", "label": "R", "jsonSchema": {}}),
        422,
        "UNPROCESSABLE",
    )
    assert [e["location"] for e in problem["errors"]] == ["path.id"]


def test_archive_frees_the_key_and_unarchive_will_not_take_it_back(client, organization, outbox_events):
    org, _ = organization
    first = declare(client, "region", REGION)
    archived = client.metadata_fields.archive(first.id)
    assert archived.id == first.id and archived.archived_at is not None
    assert client.metadata_fields.list("INSTANCE") == []
    with pytest.raises(NotFoundError) as caught:
        client.metadata_fields.archive(first.id)
    assert caught.value.code == "ArchiveMetadataField.NotFound"

    second = declare(client, "region", {"type": "string"})
    with pytest.raises(ConflictError) as caught:
        client.metadata_fields.unarchive(first.id)
    assert caught.value.code == "UnarchiveMetadataField.KeyConflict"
    with pytest.raises(NotFoundError) as caught:
        client.metadata_fields.unarchive(second.id)
    assert caught.value.code == "UnarchiveMetadataField.NotFound"

    client.metadata_fields.archive(second.id)
    restored = client.metadata_fields.unarchive(first.id)
    assert restored.archived_at is None and restored.json_schema == REGION
    assert [f.id for f in client.metadata_fields.list("INSTANCE")] == [first.id]
    names = [e["name"] for e in field_events(outbox_events, org.id)]
    assert names == [
        "METADATA_FIELD_CREATED", "METADATA_FIELD_ARCHIVED", "METADATA_FIELD_CREATED", "METADATA_FIELD_ARCHIVED", "METADATA_FIELD_UNARCHIVED",
    ]
    assert field_events(outbox_events, org.id)[1]["data"]["archivedAt"]


def test_reorder_sets_display_order_to_the_position(client, organization, outbox_events):
    org, _ = organization
    a, b, c = (declare(client, key) for key in "abc")
    assert client.metadata_fields.reorder([c.id, a.id, b.id]) is None
    fields = client.metadata_fields.list("INSTANCE")
    assert [(f.key, f.display_order) for f in fields] == [("c", 0), ("a", 1), ("b", 2)]
    event = field_events(outbox_events, org.id)[-1]
    assert (event["name"], event["type"]) == ("METADATA_FIELD_REORDERED", "com.kaiten.metadata_field.v1.reordered")
    assert event["data"] == {"ids": [c.id, a.id, b.id]}


def test_reorder_refusals(client, organization, outbox_events):
    org, _ = organization
    a = declare(client, "a")
    zone = declare(client, "tier", resource_type="DEPLOYMENT_ZONE")
    before = field_events(outbox_events, org.id)
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.reorder([a.id, zone.id])
    assert caught.value.code == "ReorderMetadataFields.MixedResourceTypes"
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.reorder([a.id, a.id])
    assert caught.value.code == "ReorderMetadataFields.DuplicateID"
    with pytest.raises(NotFoundError) as caught:
        client.metadata_fields.reorder([a.id, str(uuid.uuid4())])
    assert caught.value.code == "ReorderMetadataFields.UnknownID"
    client.metadata_fields.archive(zone.id)
    with pytest.raises(NotFoundError):
        client.metadata_fields.reorder([zone.id])
    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.reorder(["not-a-uuid"])
    assert [e.location for e in caught.value.errors] == ["body.ids[0]"]
    with pytest.raises(UnprocessableEntityError):
        client.metadata_fields.reorder([])
    assert field_events(outbox_events, org.id) == before + [field_events(outbox_events, org.id)[-1]]
    assert field_events(outbox_events, org.id)[-1]["name"] == "METADATA_FIELD_ARCHIVED"


def _seed_instances(db, organization_id: str, customer_id: str, metadata: list[dict]) -> None:
    """Instances written in SQL under a license of their own: this suite tests the dry-run, not instances."""
    suffix = uuid.uuid4().hex[:8]
    family = db.execute(
        "INSERT INTO license_family (organization_id, slug) VALUES (%s, %s) RETURNING id", (organization_id, f"pro-{suffix}")
    ).fetchone()[0]
    license_id = db.execute(
        "INSERT INTO license (organization_id, family_id, name, slug, type, version, version_name) "
        "VALUES (%s, %s, 'Pro', %s, 'PAID', 1, 'v1') RETURNING id",
        (organization_id, family, f"pro-{suffix}-v1"),
    ).fetchone()[0]
    for index, values in enumerate(metadata, start=1):
        db.execute(
            "INSERT INTO instance (organization_id, name, slug, customer_id, license_id, metadata, created_at) "
            "VALUES (%s, %s, %s, %s, %s, %s::jsonb, now() + %s * interval '1 second')",
            (organization_id, f"Instance {index}", f"instance-{suffix}-{index}", customer_id, license_id, json.dumps(values), index),
        )


def test_dry_run_counts_the_resources_a_candidate_schema_would_break(client, organization, db, outbox_events):
    org, _ = organization
    region = declare(client, "region", {"type": "string"})
    customer = client.customers.create(name="Acme")
    values = ["eu", "us", "apac", "latam", "mena", "africa", "oceania", 42]
    _seed_instances(db, org.id, customer.id, [{"region": v} for v in values] + [{"other": 1}, {}])
    before = outbox_events(org.id)

    impact = client.metadata_fields.dry_run(region.id, REGION)
    assert impact.count == 6
    assert len(impact.samples) == 5
    assert impact.samples[0].name == "Instance 8" and impact.samples[0].slug.endswith("-8")
    assert client.metadata_fields.dry_run(region.id, {"type": ["string", "integer"]}).count == 0
    assert client.metadata_fields.dry_run(region.id, {}).samples == []
    # Read-only: the field and the outbox are as they were.
    assert client.metadata_fields.list("INSTANCE")[0].json_schema == {"type": "string"}
    assert outbox_events(org.id) == before

    with pytest.raises(UnprocessableEntityError) as caught:
        client.metadata_fields.dry_run(region.id, {"type": "array"})
    assert caught.value.code == "MetadataField.SchemaShape.ArrayMissingItems"
    with pytest.raises(NotFoundError) as caught:
        client.metadata_fields.dry_run(str(uuid.uuid4()), REGION)
    assert caught.value.code == "DryRunMetadataField.NotFound"


def test_dry_run_on_deployment_zones(client, organization, db):
    org, _ = organization
    tier = declare(client, "tier", resource_type="DEPLOYMENT_ZONE")
    db.execute(
        "INSERT INTO deployment_zone (organization_id, name, slug, type, metadata) VALUES "
        "(%s, 'Paris', 'paris', 'k8s', '{\"tier\": \"gold\"}'), (%s, 'Lyon', 'lyon', 'k8s', '{\"tier\": 3}')",
        (org.id, org.id),
    )
    impact = client.metadata_fields.dry_run(tier.id, {"type": "string", "enum": ["gold", "silver"]})
    assert impact.count == 1 and [(s.name, s.slug) for s in impact.samples] == [("Lyon", "lyon")]


def test_another_organization_sees_none_of_it(client, platform, core_client):
    field = declare(client, "region", REGION)
    other = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}", name="Other")
    stranger = core_client(platform.tokens.mint(other.id, name="stranger").token)
    assert stranger.metadata_fields.list("INSTANCE") == []
    for attempt in (
        lambda: stranger.metadata_fields.update(field.id, resource_type="INSTANCE", key="region", label="Mine", json_schema=REGION),
        lambda: stranger.metadata_fields.archive(field.id),
        lambda: stranger.metadata_fields.dry_run(field.id, REGION),
        lambda: stranger.metadata_fields.reorder([field.id]),
    ):
        with pytest.raises(NotFoundError):
            attempt()
    assert client.metadata_fields.list("INSTANCE")[0].label == "Region"


def test_scopes(client, platform, organization, core_client):
    org, _ = organization
    field = declare(client, "region", REGION)
    reader = core_client(platform.tokens.mint(org.id, name="reader", scopes=["read:metadata_fields"]).token)
    assert [f.id for f in reader.metadata_fields.list("INSTANCE")] == [field.id]
    for attempt in (
        lambda: declare(reader, "other"),
        lambda: reader.metadata_fields.archive(field.id),
        lambda: reader.metadata_fields.dry_run(field.id, REGION),
        lambda: reader.metadata_fields.reorder([field.id]),
    ):
        with pytest.raises(PermissionDeniedError) as caught:
            attempt()
        assert caught.value.code == "Auth.MissingScope"
    outsider = core_client(platform.tokens.mint(org.id, name="outsider", scopes=["read:customers"]).token)
    with pytest.raises(PermissionDeniedError):
        outsider.metadata_fields.list("INSTANCE")


def test_raw_bodies_are_closed(organization, core_http, assert_problem, client):
    _, token = organization
    http = core_http(token)
    problem = assert_problem(
        http.post("metadata-fields", json={"resourceType": "INSTANCE", "key": "k", "label": "K", "jsonSchema": {}, "color": "red"}),
        422,
        "UNPROCESSABLE",
    )
    assert [e["location"] for e in problem["errors"]] == ["body.color"]
    assert_problem(http.post("metadata-fields", content=b'{"key":', headers={"Content-Type": "application/json"}), 400, "Request.MalformedJSON")
    # A field read back can be sent back as it is: read-only members are ignored.
    field = declare(client, "region", REGION)
    echoed = http.patch(f"metadata-fields/{field.id}", json=field.model_dump(mode="json", by_alias=True, exclude_none=True))
    assert echoed.status_code == 200, echoed.text
    bad_cursor_type = http.get("metadata-fields", params={"resourceType": "INSTANCE", "cursor": base64.urlsafe_b64encode(b"{}").decode()})
    assert_problem(bad_cursor_type, 400, "MetadataFields.InvalidCursor")


# --- Shapes: every answer and every event against the contract's schemas ---------------------------------------


def _check_response(operation_id: str, response, status: int):
    """The response has a status the contract lists for the operation, and a body its schema accepts."""
    from openapi_contract import contract, contract_uri, operations, pointer, validator

    path, method, operation = operations(contract("core"))[operation_id]
    assert response.status_code == status, f"{operation_id}: {response.status_code} {response.text[:500]}"
    content = operation["responses"][str(status)].get("content")
    if not content:
        assert response.content == b""
        return None
    media_type = response.headers["content-type"].split(";")[0].strip()
    assert media_type in content
    body = response.json()
    schema = validator(contract_uri("core"), pointer("paths", path, method, "responses", str(status), "content", media_type, "schema"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema.iter_errors(body)]
    assert not errors, f"{operation_id} {status}: {errors}"
    return body


def _check_event(event: dict) -> None:
    from openapi_contract import contract, contract_uri, pointer, validator

    assert event["type"] in contract("core")["webhooks"]
    payload = {"name": event["name"], "type": event["type"], "data": event["data"]}
    schema = validator(contract_uri("core"), pointer("webhooks", event["type"], "post", "requestBody", "content", "application/json", "schema"))
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in schema.iter_errors(payload)]
    assert not errors, f"{event['type']}: {errors}"


def test_every_answer_and_event_matches_the_contract(organization, core_http, outbox_events):
    org, token = organization
    http = core_http(token)
    body = {"resourceType": "INSTANCE", "key": "region", "label": "Region", "jsonSchema": REGION}
    created = _check_response("create-metadata-field", http.post("metadata-fields", json=body), 201)
    _check_response("create-metadata-field", http.post("metadata-fields", json=body), 409)
    _check_response("create-metadata-field", http.post("metadata-fields", json={**body, "jsonSchema": {"type": 3}}), 422)
    other = _check_response("create-metadata-field", http.post("metadata-fields", json={**body, "key": "tier"}), 201)
    field_id = created["id"]

    _check_response("list-metadata-fields", http.get("metadata-fields", params={"resourceType": "INSTANCE", "limit": 1}), 200)
    _check_response("list-metadata-fields", http.get("metadata-fields"), 422)
    _check_response("list-metadata-fields", http.get("metadata-fields", params={"resourceType": "INSTANCE", "cursor": "x"}), 400)

    _check_response("update-metadata-field", http.patch(f"metadata-fields/{field_id}", json={**body, "label": "Where"}), 200)
    _check_response("update-metadata-field", http.patch(f"metadata-fields/{field_id}", json={**body, "jsonSchema": {"type": "number"}}), 422)
    _check_response("update-metadata-field", http.patch(f"metadata-fields/{uuid.uuid4()}", json=body), 404)

    _check_response("dry-run-metadata-field", http.post(f"metadata-fields/{field_id}/dry-run", json={"jsonSchema": {"const": "eu"}}), 200)
    _check_response("dry-run-metadata-field", http.post(f"metadata-fields/{uuid.uuid4()}/dry-run", json={"jsonSchema": {}}), 404)
    _check_response("dry-run-metadata-field", http.post(f"metadata-fields/{field_id}/dry-run", json={}), 422)

    _check_response("reorder-metadata-fields", http.post("metadata-fields/reorder", json={"ids": [other["id"], field_id]}), 204)
    _check_response("reorder-metadata-fields", http.post("metadata-fields/reorder", json={"ids": [str(uuid.uuid4())]}), 404)
    _check_response("reorder-metadata-fields", http.post("metadata-fields/reorder", json={"ids": [field_id, field_id]}), 422)

    _check_response("archive-metadata-field", http.post(f"metadata-fields/{field_id}/archive"), 200)
    _check_response("archive-metadata-field", http.post(f"metadata-fields/{field_id}/archive"), 404)
    _check_response("archive-metadata-field", http.post("metadata-fields/nope/archive"), 422)
    _check_response("create-metadata-field", http.post("metadata-fields", json=body), 201)
    _check_response("unarchive-metadata-field", http.post(f"metadata-fields/{field_id}/unarchive"), 409)
    _check_response("unarchive-metadata-field", http.post(f"metadata-fields/{other['id']}/unarchive"), 404)
    http.post(f"metadata-fields/{other['id']}/archive")
    http.post("metadata-fields/reorder", json={"ids": []})
    names = []
    for event in field_events(outbox_events, org.id):
        _check_event(event)
        names.append(event["name"])
    assert names == [
        "METADATA_FIELD_CREATED", "METADATA_FIELD_CREATED", "METADATA_FIELD_UPDATED", "METADATA_FIELD_REORDERED",
        "METADATA_FIELD_ARCHIVED", "METADATA_FIELD_CREATED", "METADATA_FIELD_ARCHIVED",
    ]
    # An archived field cannot come back while its key is taken; once freed, it can.
    replacement = http.get("metadata-fields", params={"resourceType": "INSTANCE"}).json()["items"][0]["id"]
    http.post(f"metadata-fields/{replacement}/archive")
    _check_response("unarchive-metadata-field", http.post(f"metadata-fields/{field_id}/unarchive"), 200)
    _check_event(field_events(outbox_events, org.id)[-1])
