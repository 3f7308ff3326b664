"""Entitlements and entitlement groups through the SDK's KaitenClient: every operation, its defaults, every
error a client can meet, the wire shapes and the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import BadRequestError, ConflictError, NotFoundError, PermissionDeniedError, UnprocessableEntityError

from openapi_contract import contract_uri, pointer, validator
from test_wire_shapes import CORE

AUTO_SLUG = re.compile(r"^(?P<base>[a-z0-9-]+)-(?P<hex>[0-9a-f]{6})$")


def entitlement_events(outbox_events, organization_id: str) -> list[dict]:
    """The organization's entitlement and group events, oldest first (minting its token wrote one more)."""
    return [e for e in outbox_events(organization_id) if e["name"].startswith("ENTITLEMENT")]


def check_event(event: dict) -> None:
    """The outbox row is the contract's webhook payload for its type."""
    payload = {"name": event["name"], "type": event["type"], "data": event["data"]}
    schema = validator(contract_uri("core"), pointer("webhooks", event["type"], "post", "requestBody", "content", "application/json", "schema"))
    errors = list(schema.iter_errors(payload))
    assert not errors, f"{event['type']}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)


# ----------------------------------------------------------------------------------------------------------
# Entitlements.


def test_create_applies_the_defaults(client):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    seats = client.entitlements.create(name="Seats", type="NUMBER")
    assert AUTO_SLUG.match(seats.slug)["base"] == "seats"
    uuid.UUID(seats.id)
    assert seats.aggregation_method == "SUM"
    assert seats.description is None
    assert (seats.user_facing, seats.display_order, seats.warning_threshold_percent) == (False, 0, 0)
    assert seats.entitlement_groups is None and seats.reset_period is None and seats.reset_anchor is None
    assert before <= seats.created_at == seats.updated_at <= datetime.now(timezone.utc) + timedelta(seconds=5)

    feature = client.entitlements.create(name="SSO", type="BOOLEAN", aggregation_method="MAX", description="Single sign-on")
    assert feature.aggregation_method is None, "BOOLEAN never aggregates: the method is dropped"
    assert feature.description == "Single sign-on"

    config = client.entitlements.create(name="Theme", type="CONFIG")
    assert config.type == "CONFIG" and config.aggregation_method is None

    monthly = client.entitlements.create(name="Calls", type="NUMBER_AI_CREDIT", reset_period="MONTH")
    assert (monthly.reset_period, monthly.reset_anchor, monthly.aggregation_method) == ("MONTH", "CALENDAR", "SUM")
    assert client.entitlements.get(monthly.slug).model_dump() == monthly.model_dump()


def test_create_with_every_field(client):
    client.entitlement_groups.create(name="Usage", slug="usage")
    client.entitlement_groups.create(name="Billing", slug="billing")
    tokens = client.entitlements.create(
        name="Tokens",
        slug="tokens",
        type="NUMBER",
        description="LLM tokens",
        aggregation_method="MAX",
        reset_period="WEEK",
        reset_anchor="LICENSE_START",
        warning_threshold_percent=80,
        group_slugs=[" usage", "billing", "usage", ""],
        user_facing=True,
        display_order=3,
        icon="lucide:brain-circuit",
        unit_singular="token",
        unit_plural="tokens",
        sale_unit_singular="pack",
        sale_unit_plural="packs",
        sale_unit_factor=1_000_000,
    )
    assert tokens.slug == "tokens"
    assert (tokens.reset_period, tokens.reset_anchor, tokens.aggregation_method) == ("WEEK", "LICENSE_START", "MAX")
    assert (tokens.warning_threshold_percent, tokens.user_facing, tokens.display_order) == (80, True, 3)
    assert tokens.icon == "lucide:brain-circuit"
    assert (tokens.unit_singular, tokens.unit_plural) == ("token", "tokens")
    assert (tokens.sale_unit_singular, tokens.sale_unit_plural, tokens.sale_unit_factor) == ("pack", "packs", 1_000_000)
    assert [g.slug for g in tokens.entitlement_groups] == ["billing", "usage"], "trimmed, de-duplicated, sorted"
    assert tokens.group_slugs is None, "groupSlugs is write-only"
    assert client.entitlements.get("tokens").model_dump() == tokens.model_dump()


@pytest.mark.parametrize(
    ("fields", "error", "code"),
    [
        ({"type": "BOOLEAN", "unit_singular": "seat", "unit_plural": "seats"}, BadRequestError, "CreateEntitlement.InvalidUnitsConfiguration"),
        ({"unit_singular": "seat"}, BadRequestError, "CreateEntitlement.InvalidUnitsConfiguration"),
        ({"unit_singular": " ", "unit_plural": "seats"}, BadRequestError, "CreateEntitlement.InvalidUnitsConfiguration"),
        ({"unit_singular": "seat", "unit_plural": "seats", "sale_unit_factor": 5}, BadRequestError, "CreateEntitlement.InvalidUnitsConfiguration"),
        ({"sale_unit_singular": "pack", "sale_unit_plural": "packs", "sale_unit_factor": 5}, BadRequestError, "CreateEntitlement.InvalidUnitsConfiguration"),
        ({"type": "CONFIG", "warning_threshold_percent": 50}, BadRequestError, "CreateEntitlement.InvalidEnforcementPolicyConfiguration"),
        ({"reset_anchor": "CALENDAR"}, BadRequestError, "CreateEntitlement.InvalidResetConfiguration"),
        ({"type": "BOOLEAN", "reset_period": "DAY"}, BadRequestError, "CreateEntitlement.InvalidResetConfiguration"),
        ({"aggregation_method": "LATEST", "reset_period": "DAY"}, BadRequestError, "CreateEntitlement.InvalidResetConfiguration"),
        ({"icon": "heroicons:rocket"}, BadRequestError, "CreateEntitlement.InvalidIcon"),
        ({"type": None}, UnprocessableEntityError, "CreateEntitlement.TypeRequired"),
        ({"type": "FLOAT"}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"aggregation_method": "MEDIAN"}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"reset_period": "DECADE"}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"warning_threshold_percent": 101}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"display_order": -1}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"sale_unit_factor": 0}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"icon": "Lucide Rocket"}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"slug": "Not A Slug"}, UnprocessableEntityError, "UNPROCESSABLE"),
        ({"group_slugs": ["no-such-group"]}, NotFoundError, "CreateEntitlement.GroupNotFound"),
    ],
)
def test_create_refusals(client, organization, outbox_events, fields, error, code):
    arguments = {"name": "Quota", "type": "NUMBER", **fields}
    with pytest.raises(error) as caught:
        client.entitlements.create(**arguments)
    assert caught.value.code == code
    assert caught.value.error_id
    assert client.entitlements.list() == []
    assert entitlement_events(outbox_events, organization[0].id) == [], "a refused write leaves no event"


def test_schema_refusals_name_the_offending_member(client):
    with pytest.raises(UnprocessableEntityError) as caught:
        client.entitlements.create(name="", type="FLOAT", warning_threshold_percent=101)
    assert [e.location for e in caught.value.errors] == ["body.name", "body.type", "body.warningThresholdPercent"]
    assert caught.value.errors[1].message == 'expected value to be one of "BOOLEAN, NUMBER, CONFIG, NUMBER_AI_CREDIT"'


def test_create_with_a_taken_slug_is_a_conflict(client):
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    with pytest.raises(ConflictError) as caught:
        client.entitlements.create(name="Seats again", slug="seats", type="BOOLEAN")
    assert caught.value.code == "CreateEntitlement.SlugConflict"
    assert [e.name for e in client.entitlements.list()] == ["Seats"]


def test_list_walks_every_page_newest_first(client, organization, core_http):
    names = [f"Entitlement {n}" for n in range(5)]
    for name in names:
        client.entitlements.create(name=name, type="BOOLEAN")
    assert [e.name for e in client.entitlements.list()] == list(reversed(names))

    http = core_http(organization[1])
    first = CORE.check("list-entitlements", http.get("entitlements", params={"limit": 2}), 200)
    assert first["hasMore"] is True and len(first["items"]) == 2
    second = http.get("entitlements", params={"limit": 2, "cursor": first["nextCursor"]}).json()
    assert [e["name"] for e in second["items"]] == names[2:0:-1]
    CORE.check("list-entitlements", http.get("entitlements", params={"limit": 0}), 422)
    CORE.check("list-entitlements", http.get("entitlements", params={"cursor": "not-a-cursor"}), 400)


def test_get_unknown_entitlement_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.entitlements.get("does-not-exist")
    assert caught.value.code == "GetEntitlement.NotFound"


def test_update_is_a_full_replacement(client, organization, core_http):
    client.entitlement_groups.create(name="Core", slug="core")
    created = client.entitlements.create(
        name="Seats", slug="seats", type="NUMBER", aggregation_method="MAX", description="Named users",
        unit_singular="seat", unit_plural="seats", user_facing=True, display_order=4, icon="lucide:users",
        warning_threshold_percent=90, group_slugs=["core"],
    )
    assert client.entitlements.update("seats", name="Users") is None
    updated = client.entitlements.get("seats")
    assert updated.name == "Users" and updated.description is None
    assert (updated.unit_singular, updated.icon, updated.user_facing, updated.display_order) == (None, None, False, 0)
    assert updated.warning_threshold_percent == 0
    assert (updated.type, updated.aggregation_method) == ("NUMBER", "MAX"), "fixed at creation"
    assert [g.slug for g in updated.entitlement_groups] == ["core"], "groups are kept when group_slugs is omitted"
    assert updated.created_at == created.created_at and updated.updated_at >= created.updated_at

    client.entitlements.update("seats", name="Users", type="NUMBER", aggregation_method="MAX", group_slugs=[])
    assert client.entitlements.get("seats").entitlement_groups is None

    http = core_http(organization[1])
    response = CORE.check("update-entitlement", http.put("entitlements/seats", json={"name": "Users", "description": None, "slug": "seats"}), 204)
    assert response is None
    CORE.check("update-entitlement", http.put("entitlements/seats", json={"name": "Users", "description": None, "slug": "renamed"}), 422)
    assert http.put("entitlements/seats", json={"name": "Users", "description": None, "slug": "renamed"}).json()["code"] == "UpdateEntitlement.SlugNotRenameable"


@pytest.mark.parametrize(
    ("fields", "error", "code"),
    [
        ({"type": "BOOLEAN"}, BadRequestError, "UpdateEntitlement.ImmutableType"),
        ({"aggregation_method": "SUM"}, BadRequestError, "UpdateEntitlement.ImmutableAggregationMethod"),
        ({"unit_plural": "seats"}, BadRequestError, "UpdateEntitlement.InvalidUnitsConfiguration"),
        ({"icon": "feather:x"}, BadRequestError, "UpdateEntitlement.InvalidIcon"),
        ({"reset_anchor": "LICENSE_START"}, BadRequestError, "UpdateEntitlement.InvalidResetConfiguration"),
        ({"group_slugs": ["missing"]}, NotFoundError, "UpdateEntitlement.GroupNotFound"),
        ({"warning_threshold_percent": 150}, UnprocessableEntityError, "UNPROCESSABLE"),
    ],
)
def test_update_refusals(client, fields, error, code):
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER", aggregation_method="MAX")
    with pytest.raises(error) as caught:
        client.entitlements.update("seats", name="Changed", **fields)
    assert caught.value.code == code
    assert client.entitlements.get("seats").name == "Seats", "a refused update changes nothing"


def test_reset_period_and_anchor_are_one_way_doors(client):
    client.entitlements.create(name="Calls", slug="calls", type="NUMBER")
    client.entitlements.update("calls", name="Calls", reset_period="DAY", reset_anchor="LICENSE_START")
    stored = client.entitlements.get("calls")
    assert (stored.reset_period, stored.reset_anchor) == ("DAY", "LICENSE_START")

    refusals = [
        ({}, "UpdateEntitlement.ImmutableResetPeriod"),
        ({"reset_period": "WEEK", "reset_anchor": "LICENSE_START"}, "UpdateEntitlement.ImmutableResetPeriod"),
        ({"reset_period": "DAY"}, "UpdateEntitlement.ImmutableResetAnchor"),
        ({"reset_period": "DAY", "reset_anchor": "CALENDAR"}, "UpdateEntitlement.ImmutableResetAnchor"),
    ]
    for fields, code in refusals:
        with pytest.raises(BadRequestError) as caught:
            client.entitlements.update("calls", name="Calls", **fields)
        assert caught.value.code == code, fields
    client.entitlements.update("calls", name="Daily calls", reset_period="DAY", reset_anchor="LICENSE_START")
    assert client.entitlements.get("calls").name == "Daily calls"


def test_update_unknown_entitlement_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.entitlements.update("does-not-exist", name="Nobody")
    assert caught.value.code == "UpdateEntitlement.NotFound"


def test_delete(client):
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    assert client.entitlements.delete("seats") is None
    with pytest.raises(NotFoundError):
        client.entitlements.get("seats")
    with pytest.raises(NotFoundError) as caught:
        client.entitlements.delete("seats")
    assert caught.value.code == "DeleteEntitlement.NotFound"


def test_an_entitlement_granted_by_a_license_cannot_be_deleted(client):
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    try:
        client.licenses.create(name="Pro", slug="pro", type="PAID")
        client.licenses.associate_entitlement("pro", "seats", 10)
    except NotFoundError as error:
        if error.code != "NOT_FOUND":
            raise
        pytest.skip("licenses are not routed by this server yet (the Swift suite covers this rule)")
    with pytest.raises(ConflictError) as caught:
        client.entitlements.delete("seats")
    assert caught.value.code == "DeleteEntitlement.InUseConflict"
    assert caught.value.errors[0].value == {"licenseGrants": 1}
    assert client.entitlements.get("seats").slug == "seats"


def test_tenancy_and_scopes(client, kaiten, platform, core_client):
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    client.entitlement_groups.create(name="Core", slug="core")
    other = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}")
    intruder = core_client(platform.tokens.mint(other.id, name="intruder").token)
    for call in (lambda: intruder.entitlements.get("seats"), lambda: intruder.entitlements.delete("seats"),
                 lambda: intruder.entitlement_groups.get("core"), lambda: intruder.entitlement_groups.add_entitlement("core", "seats")):
        with pytest.raises(NotFoundError):
            call()
    assert intruder.entitlements.list() == [] and intruder.entitlement_groups.list() == []

    reader = core_client(platform.tokens.mint(other.id, name="reader", scopes=["read:entitlements"]).token)
    assert reader.entitlements.list() == []
    with pytest.raises(PermissionDeniedError) as caught:
        reader.entitlements.create(name="Seats", type="NUMBER")
    assert caught.value.code == "Auth.MissingScope"
    with pytest.raises(PermissionDeniedError):
        reader.entitlement_groups.create(name="Core")


def test_entitlement_events(client, organization, core_http, outbox_events):
    http = core_http(organization[1])
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    created = http.get("entitlements/seats").json()
    client.entitlements.update("seats", name="Users", unit_singular="user", unit_plural="users")
    updated = http.get("entitlements/seats").json()
    client.entitlements.delete("seats")

    events = entitlement_events(outbox_events, organization[0].id)
    assert [e["name"] for e in events] == ["ENTITLEMENT_CREATED", "ENTITLEMENT_UPDATED", "ENTITLEMENT_DELETED"]
    assert [e["type"] for e in events] == [f"com.kaiten.entitlement.v1.{verb}" for verb in ("created", "updated", "deleted")]
    for event in events:
        check_event(event)
    assert [e["data"] for e in events] == [created, updated, updated], "the deleted event carries the entitlement as it was"


# ----------------------------------------------------------------------------------------------------------
# Entitlement groups.


def test_group_lifecycle(client, organization, outbox_events):
    group = client.entitlement_groups.create(name="AI quotas")
    assert AUTO_SLUG.match(group.slug)["base"] == "ai-quotas"
    assert group.description is None
    assert client.entitlement_groups.get(group.slug) == group
    assert client.entitlement_groups.list() == [group]

    assert client.entitlement_groups.update(group.slug, name="AI", description="Tokens and credits") is None
    updated = client.entitlement_groups.get(group.slug)
    assert (updated.name, updated.description, updated.id) == ("AI", "Tokens and credits", group.id)

    assert client.entitlement_groups.delete(group.slug) is None
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.get(group.slug)
    assert caught.value.code == "GetEntitlementGroup.NotFound"

    events = entitlement_events(outbox_events, organization[0].id)
    assert [e["name"] for e in events] == ["ENTITLEMENT_GROUP_CREATED", "ENTITLEMENT_GROUP_UPDATED", "ENTITLEMENT_GROUP_DELETED"]
    for event in events:
        check_event(event)
    assert events[0]["data"] == {"id": group.id, "name": "AI quotas", "slug": group.slug, "description": None}
    assert events[1]["data"] == events[2]["data"] == {"id": group.id, "name": "AI", "slug": group.slug, "description": "Tokens and credits"}


def test_group_refusals(client, organization, core_http):
    client.entitlement_groups.create(name="Core", slug="core")
    with pytest.raises(ConflictError) as caught:
        client.entitlement_groups.create(name="Core again", slug="core")
    assert caught.value.code == "CreateEntitlementGroup.SlugConflict"
    with pytest.raises(UnprocessableEntityError) as caught:
        client.entitlement_groups.create(name="", slug="BAD")
    assert [e.location for e in caught.value.errors] == ["body.name", "body.slug"]
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.update("nope", name="X")
    assert caught.value.code == "UpdateEntitlementGroup.NotFound"
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.delete("nope")
    assert caught.value.code == "DeleteEntitlementGroup.NotFound"

    http = core_http(organization[1])
    renamed = CORE.check("update-entitlement-group", http.put("entitlement-groups/core", json={"name": "Core", "description": None, "slug": "other"}), 422)
    assert renamed["code"] == "UpdateEntitlementGroup.SlugNotRenameable"
    CORE.check("update-entitlement-group", http.put("entitlement-groups/core", json={"name": "Core", "description": None, "slug": "core"}), 204)


def test_group_memberships(client, organization, core_http, outbox_events):
    client.entitlement_groups.create(name="Core", slug="core")
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    events_before = len(entitlement_events(outbox_events, organization[0].id))

    http = core_http(organization[1])
    added = CORE.check("add-entitlement-to-group", http.post("entitlement-groups/core/entitlements", json={"entitlementSlug": "seats"}), 201)
    assert added is None, "201 with no body"
    assert [g.slug for g in client.entitlements.get("seats").entitlement_groups] == ["core"]

    for group, entitlement, error, code in [
        ("core", "seats", ConflictError, "AddEntitlementToGroup.AlreadyMember"),
        ("nope", "seats", NotFoundError, "AddEntitlementToGroup.GroupNotFound"),
        ("core", "nope", NotFoundError, "AddEntitlementToGroup.EntitlementNotFound"),
    ]:
        with pytest.raises(error) as caught:
            client.entitlement_groups.add_entitlement(group, entitlement)
        assert caught.value.code == code
    CORE.check("add-entitlement-to-group", http.post("entitlement-groups/core/entitlements", json={}), 422)

    assert client.entitlement_groups.remove_entitlement("core", "seats") is None
    assert client.entitlements.get("seats").entitlement_groups is None
    client.entitlement_groups.remove_entitlement("core", "seats")  # not a member: nothing to do
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.remove_entitlement("nope", "seats")
    assert caught.value.code == "RemoveEntitlementFromGroup.GroupNotFound"
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.remove_entitlement("core", "nope")
    assert caught.value.code == "RemoveEntitlementFromGroup.EntitlementNotFound"

    client.entitlement_groups.add_entitlement("core", "seats")
    client.entitlement_groups.delete("core")
    assert client.entitlements.get("seats").entitlement_groups is None, "a deleted group leaves its entitlements"
    assert [e["name"] for e in entitlement_events(outbox_events, organization[0].id)[events_before:]] == ["ENTITLEMENT_GROUP_DELETED"]


def test_group_usage_refusals(client, organization, core_http):
    client.entitlement_groups.create(name="Plan", slug="plan")
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.get_usage("plan", "no-such-instance")
    assert caught.value.code == "GetEntitlementGroupUsage.InstanceNotFound"
    with pytest.raises(NotFoundError) as caught:
        client.entitlement_groups.get_usage("nope", "no-such-instance")
    assert caught.value.code == "GetEntitlementGroupUsage.NotFound"
    problem = CORE.check("get-entitlement-group-usage", core_http(organization[1]).get("entitlement-groups/plan/usage"), 422)
    assert [e["location"] for e in problem["errors"]] == ["query.instance"]


def test_group_usage(client, organization, core_http):
    client.entitlement_groups.create(name="Plan", slug="plan")
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER", group_slugs=["plan"])
    client.entitlements.create(name="Calls", slug="calls", type="NUMBER", reset_period="MONTH", group_slugs=["plan"])
    client.entitlements.create(name="SSO", slug="sso", type="BOOLEAN", group_slugs=["plan"])
    try:
        customer = client.customers.create(name="Acme")
        license_ = client.licenses.create(name="Pro", slug="pro", type="PAID")
        client.licenses.associate_entitlement("pro", "seats", 10)
        client.licenses.associate_entitlement("pro", "calls", 1000)
        start = datetime.now(timezone.utc) - timedelta(days=3)
        client.instances.create(
            name="Prod", slug="prod", customer_id=customer.id, license_id=license_.id,
            start_license_date=start, end_license_date=start + timedelta(days=365),
        )
        client.instances.report_usage("prod", "seats", 3)
    except NotFoundError as error:
        if error.code != "NOT_FOUND":
            raise
        pytest.skip("licenses or instances are not routed by this server yet (the Swift suite covers group usage)")

    usage = {row.entitlement_slug: row for row in client.entitlement_groups.get_usage("plan", "prod")}
    assert sorted(usage) == ["calls", "seats", "sso"]
    assert (usage["seats"].usage_value.value, usage["seats"].usage_value.event_count) == (3, 1)
    assert usage["seats"].license_value.value == 10 and usage["seats"].current_period_start is None
    assert (usage["calls"].usage_value.value, usage["calls"].usage_value.event_count) == (0, 0)
    now = datetime.now(timezone.utc)
    assert usage["calls"].current_period_start == now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    assert usage["sso"].usage_value is None and usage["sso"].license_value is None
    CORE.check("get-entitlement-group-usage", core_http(organization[1]).get("entitlement-groups/plan/usage", params={"instance": "prod"}), 200)


def test_wire_shapes(client, organization, core_http):
    """Every success and refusal of the thirteen operations validates against the contract."""
    http = core_http(organization[1])
    CORE.check("create-entitlement-group", http.post("entitlement-groups", json={"name": "Plan", "slug": "plan", "description": None}), 201)
    CORE.check("create-entitlement-group", http.post("entitlement-groups", json={"name": "Plan", "slug": "plan", "description": None}), 409)
    CORE.check("create-entitlement-group", http.post("entitlement-groups", json={"name": "Plan"}), 422)
    CORE.check("list-entitlement-groups", http.get("entitlement-groups"), 200)
    CORE.check("list-entitlement-groups", http.get("entitlement-groups", params={"limit": 500}), 422)
    CORE.check("get-entitlement-group", http.get("entitlement-groups/plan"), 200)
    CORE.check("get-entitlement-group", http.get("entitlement-groups/nope"), 404)
    CORE.check("update-entitlement-group", http.put("entitlement-groups/nope", json={"name": "X", "description": None}), 404)

    body = {
        "name": "Tokens", "slug": "tokens", "description": "LLM tokens", "type": "NUMBER", "resetPeriod": "DAY",
        "unitSingular": "token", "unitPlural": "tokens", "saleUnitSingular": "pack", "saleUnitPlural": "packs",
        "saleUnitFactor": 1000.5, "icon": "lucide:cpu", "groupSlugs": ["plan"],
    }
    CORE.check("create-entitlement", http.post("entitlements", json=body), 201)
    CORE.check("create-entitlement", http.post("entitlements", json=body), 409)
    CORE.check("create-entitlement", http.post("entitlements", json={**body, "slug": "other", "icon": "feather:cpu"}), 400)
    CORE.check("create-entitlement", http.post("entitlements", json={**body, "slug": "other", "groupSlugs": ["nope"]}), 404)
    CORE.check("create-entitlement", http.post("entitlements", json={**body, "unexpected": True}), 422)
    CORE.check("list-entitlements", http.get("entitlements"), 200)
    CORE.check("get-entitlement", http.get("entitlements/tokens"), 200)
    CORE.check("get-entitlement", http.get("entitlements/nope"), 404)
    CORE.check("update-entitlement", http.put("entitlements/tokens", json={"name": "Tokens", "description": None}), 400)
    CORE.check("update-entitlement", http.put("entitlements/nope", json={"name": "Tokens", "description": None}), 404)
    CORE.check("add-entitlement-to-group", http.post("entitlement-groups/plan/entitlements", json={"entitlementSlug": "tokens"}), 409)
    CORE.check("remove-entitlement-from-group", http.delete("entitlement-groups/plan/entitlements/tokens"), 204)
    CORE.check("remove-entitlement-from-group", http.delete("entitlement-groups/nope/entitlements/tokens"), 404)
    CORE.check("get-entitlement-group-usage", http.get("entitlement-groups/plan/usage", params={"instance": "nope"}), 404)
    CORE.check("delete-entitlement", http.delete("entitlements/tokens"), 204)
    CORE.check("delete-entitlement", http.delete("entitlements/tokens"), 404)
    CORE.check("delete-entitlement-group", http.delete("entitlement-groups/plan"), 204)
    CORE.check("delete-entitlement-group", http.delete("entitlement-groups/plan"), 404)
