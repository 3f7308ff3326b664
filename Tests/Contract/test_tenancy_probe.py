"""Tenancy: one organization never sees nor changes another's data.

Organization A builds one of everything through the SDK. Organization B, on the same server, then calls
every operation of the served Core document -- iterated from the document, so an operation added later is
probed without editing this file -- with A's real slugs, ids and names in the path and a body that would be
valid (A's own token succeeds with the same calls). Each answer must be the one B would get for something
that does not exist (404, or the contract's documented answer listed in `EXPECTED` with its reason), and no
answer -- body or headers -- may hold any of A's identifiers that B did not send itself. Afterwards A reads
everything it has, through every GET operation of the document, and finds it exactly as before; A's outbox
gained nothing from B's calls. B runs with each kind of credential: an organization token, a person's JWT, a
service account token.

Beside the probe: B's own things tied to one of A's (an instance on A's license, a zone deploying A's
release...) are refused as unknown; B's flags, evaluated with A's customer and instance named in the context,
read no facts of A's; a cursor A was handed pages nothing of A's for B; one person in both keeps each feed and
its preferences apart; each organization's webhook endpoint receives its own events only; and the Platform API, which names the organization in its paths, refuses B's
credentials and shows nothing of A under B.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from kaitencloud import KaitenClient, ThresholdExceededError, targeting

from conftest import wait_for

SCHEMA = {
    "type": "object",
    "properties": {"workspace": {"type": "string"}, "apiKey": {"type": "string", "writeOnly": True}},
    "additionalProperties": False,
}
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2030, 1, 1, tzinfo=timezone.utc)
METHODS = ("get", "put", "post", "patch", "delete")


@dataclass
class World:
    """What organization A built: the values that fill path parameters, and every identifier of A's."""

    params: dict[str, str]
    ids: dict[str, str]
    markers: set[str] = field(default_factory=set)


def build_world(client: KaitenClient, platform, http: httpx.Client) -> World:
    """One of everything in A, through the SDK where it has a method, with identifiers found nowhere else."""
    tag = uuid.uuid4().hex[:8]
    slug = lambda name: f"a{tag}-{name}"  # noqa: E731
    titles: set[str] = set()

    def title(name: str) -> str:
        titles.add(f"Tenant A {tag} {name}")
        return f"Tenant A {tag} {name}"

    # A webhook endpoint first, so that what follows leaves messages on it.
    endpoint = http.post(
        "/webhooks/endpoints",
        json={"url": f"https://a{tag}.example.com/hook", "description": title("hook")},
    )
    assert endpoint.status_code == 201, endpoint.text
    endpoint = endpoint.json()

    connector = f"kaiten.integration.tenancy.c{uuid.uuid4().hex[:10]}"  # deployment-wide: not A's
    platform.connectors.register(name=connector, version="1.0.0", settings_schema=SCHEMA)
    client.connectors.activate(connector)
    client.connectors.update_settings(connector, {"workspace": f"a{tag}-workspace", "apiKey": f"a{tag}-secret"})

    group = client.entitlement_groups.create(name=title("Quotas"), slug=slug("quotas"), description=title("group"))
    seats = client.entitlements.create(
        name=title("Seats"), slug=slug("seats"), type="NUMBER", unit_singular="seat", unit_plural="seats", group_slugs=[group.slug]
    )
    sso = client.entitlements.create(name=title("SSO"), slug=slug("sso"), type="BOOLEAN")
    license_ = client.licenses.create(name=title("Growth"), slug=slug("growth"), type="PAID", description=title("plan"))
    client.licenses.associate_entitlement(license_.slug, seats.slug, 2, overage_percent=0)
    client.licenses.associate_entitlement(license_.slug, sso.slug, True)
    draft = client.licenses.create(name=title("Growth"), type="PAID", family_slug=license_.slug, lifecycle_state="DRAFT")

    link = f"kaiten.integration.crm.a{tag}"
    customer = client.customers.create(
        name=title("Acme"), slug=slug("acme"), domain=f"a{tag}.example.com", external_customer_id=f"a{tag}-ext"
    )
    client.customers.create_integration(customer.slug, link, external_id=f"a{tag}-rec", metadata={"owner": title("owner")})

    component = client.components.create(name=title("Gateway"), version="1.0.0", slug=slug("gateway"), description=title("c"))
    release = client.releases.create(version=f"1.0.0-a{tag}", slug=slug("v1"), description=title("r"), component_ids=[component.id])
    zone = client.deployment_zones.create(
        name=title("Zone"), slug=slug("zone"), type="production", description=title("z"), release_id=release.id
    )
    field_ = client.metadata_fields.create(
        resource_type="INSTANCE", key=f"a{tag}_region", label=title("Region"), json_schema={"type": "string"}
    )
    instance = client.instances.create(
        name=title("Production"), slug=slug("prod"), customer_id=customer.id, license_id=license_.id,
        deployment_zone_id=zone.id, start_license_date=START, end_license_date=END, description=title("i"),
        metadata={field_.key: f"a{tag}-eu"}, integrations={link: {"external_id": f"a{tag}-ws"}},
    )
    client.instances.report_usage(instance.slug, seats.slug, 2)
    with pytest.raises(ThresholdExceededError):
        client.instances.report_usage(instance.slug, seats.slug, 1)

    flag = client.feature_flags.create(
        name=title("Checkout"), slug=slug("checkout"), type="boolean",
        variants=[targeting.variant("on", True), targeting.variant("off", False)], default_variant="off",
        targetings=[targeting.rule("A's customer", f"__kaiten.customer.slug == '{customer.slug}'", "on")],
        description=title("flag"),
    )
    account = client.service_accounts.create(name=title("Robot"), slug=slug("robot"))
    token = client.service_accounts.create_token(account.slug, name=title("token"), slug=slug("token"), scopes=["read:customers"])

    # The last write's message reaches A's endpoint: everything before it has been published.
    last = client.customers.create(name=title("Last"), slug=slug("last"))

    def published() -> bool:
        items = http.get(f"/webhooks/endpoints/{endpoint['id']}/messages", params={"limit": 100}).json()["items"]
        return any(m["payload"]["data"].get("id") == last.id for m in items)

    wait_for(published, "A's last event on A's webhook endpoint")
    messages = http.get(f"/webhooks/endpoints/{endpoint['id']}/messages").json()["items"]
    notifications = http.get("/v1/notifications").json()["data"]

    params = {
        "componentSlug": component.slug,
        "connectorName": connector,
        "customerSlug": customer.slug,
        "integrationName": link,
        "deploymentZoneSlug": zone.slug,
        "entitlementGroupSlug": group.slug,
        "entitlementSlug": seats.slug,
        "featureFlagSlug": flag.slug,
        "instanceSlug": instance.slug,
        "adapter": f"crm.a{tag}",
        "familySlug": license_.slug,
        "licenseSlug": license_.slug,
        "id": field_.id,
        "key": flag.slug,
        "releaseSlug": release.slug,
        "serviceAccountSlug": account.slug,
        "tokenSlug": token.slug,
        "endpointId": endpoint["id"],
        "messageId": messages[0]["id"],
        "externalId@customer": f"a{tag}-rec",
        "externalId@instance": f"a{tag}-ws",
        # query parameters the document marks required
        "resourceType": "INSTANCE",
        "instance": instance.slug,
    }
    ids = {
        "customer": customer.id, "license": license_.id, "draft": draft.id, "family": license_.family_id,
        "seats": seats.id, "sso": sso.id, "group": group.id, "component": component.id, "release": release.id,
        "zone": zone.id, "field": field_.id, "field_key": field_.key, "instance": instance.id, "flag": flag.id, "account": account.id,
        "token": token.id, "endpoint": endpoint["id"], "message": messages[0]["id"],
        "customer_record": f"a{tag}-rec", "instance_record": f"a{tag}-ws",
        "notification": notifications[0]["id"] if notifications else str(uuid.uuid4()),
    }
    world = World(params=params, ids=ids)
    world.markers = {value for value in [*params.values(), *ids.values()] if value not in ("INSTANCE", connector)}
    # Every name and value of A's too: `tag` alone is in every slug B sends, and so never counts as leaked.
    world.markers |= titles | {tag, token.token, endpoint["secret"], endpoint["url"], customer.domain}
    world.markers |= {f"a{tag}-ext", f"a{tag}-workspace", f"a{tag}-secret", f"a{tag}-eu", f"1.0.0-a{tag}", draft.slug}
    return world


# What B may answer besides 404, operation by operation, and why. Anything else answers 404.
CATALOGUE_LISTS = "a list: B's own rows only (none of A's)"
EXPECTED: dict[str, tuple[set[int], str]] = {
    **{op: ({200}, CATALOGUE_LISTS) for op in (
        "list-components", "list-customers", "list-deployment-zones", "list-entitlement-groups", "list-entitlements",
        "get-feature-flags", "getInstances", "list-license-families", "get-licenses", "list-metadata-fields",
        "list-releases", "get-service-accounts", "list-webhook-endpoints", "listNotifications",
    )},
    "healthz": ({200}, "public probe"),
    "readyz": ({200}, "public probe"),
    # The gateway's check of a ksh_ token: B's token is answered with B's claims; a person's JWT is not a
    # ksh_ token, so it is a 401 (documented).
    **{op: ({200, 401}, "a gateway's check of B's own ksh_ token") for op in (
        "validate-token", "validate-token-post", "validate-token-put", "validate-token-patch", "validate-token-delete",
    )},
    "list-webhook-event-types": ({200}, "the event catalogue is the same for everybody"),
    "get-openfeature-manifest": ({200}, "B's own flags"),
    "get-targeting-context": ({200}, "B's own catalogue in the __kaiten namespace"),
    "lint-targeting-rule": ({200}, "checks a rule's syntax, reads no data"),
    "test-targeting-rule": ({200}, "evaluates against B's own data: A's customer slug resolves to nothing"),
    "evaluateFlagsBulk": ({200}, "B's flags, none"),
    "getNotificationPreferences": ({200}, "B's own preferences"),
    "putNotificationPreferences": ({200}, "B's own preferences"),
    "markNotificationsRead": ({200}, "marks B's notifications only: A's ids update nothing"),
    # Connectors are registered deployment-wide by the platform; activation and settings are per organization.
    "list-connectors": ({200}, "the deployment-wide registry"),
    "get-connector": ({200}, "the deployment-wide registry"),
    "get-connector-settings-schema": ({200}, "the deployment-wide registry"),
    "get-connector-state": ({200}, "B's own state: not activated"),
    "activate-connector": ({200}, "activates it for B only"),
    "deactivate-connector": ({204}, "never refused (contract), and touches B only"),
    "update-connector-settings": ({200}, "B's own settings"),
    "delete-connector-settings": ({204}, "never refused (contract), and touches B only"),
    # Creations land in B; the ones that name something of A's are refused as if it did not exist.
    "create-customer": ({201}, "B's own, with A's slug: slugs are per organization, a 409 would tell B A's exists"),
    "create-entitlement-group": ({201}, "B's own, with A's slug"),
    "create-feature-flag": ({201}, "B's own, with A's slug"),
    "create-metadata-field": ({201}, "B's own, with A's key"),
    "create-service-account": ({201}, "B's own, with A's slug"),
    "create-webhook-endpoint": ({201}, "B's own endpoint"),
    "create-license": ({201}, "B's own, with A's slug (a 409 would tell B that A's exists)"),
    # The connector upserts, sent what only updates an existing record: for B, A's record is a new one.
    "upsert-customer-integration-by-external-id": ({400}, "for B the record is new, and a new customer needs a name"),
    "upsert-instance-integration-by-external-id": ({400}, "for B the record is new, and a new instance needs its fields"),
    # The contract's answer for a flag that does not exist (it documents no 404 there).
    "evaluateFlag": ({400}, "OFREP's FLAG_NOT_FOUND, as the contract documents it"),
}

# Creations run after everything else: once B holds a customer with A's slug, B's reads of it succeed.
CREATIONS = {op for op, (statuses, _) in EXPECTED.items() if statuses == {201}}


def bodies(world: World, tag: str) -> dict[str, object]:
    """A valid body for each write, naming A's things wherever the body can name something."""
    p, i = world.params, world.ids
    name = f"Tenant B {tag}"
    term = {"startLicenseDate": START.isoformat(), "endLicenseDate": END.isoformat()}
    flag = {
        "name": name, "type": "boolean", "enabled": True, "description": "", "metadata": {}, "event_name": "",
        "variants": [{"name": "on", "description": "", "value": True}, {"name": "off", "description": "", "value": False}],
        "default_variant": {"type": "basic", "value": "off"}, "targetings": [],
    }
    entitlement = {"name": name, "type": "NUMBER", "description": "", "groupSlugs": [p["entitlementGroupSlug"]]}
    instance = {
        "name": name, "description": "", "customerId": i["customer"], "licenseId": i["license"],
        "deploymentZoneId": i["zone"], **term,
    }
    zone = {"name": name, "type": "production", "description": "", "releaseId": i["release"]}
    link = {"external_id": f"b-{tag}"}
    hints = {"kaiten": {"instanceSlug": p["instanceSlug"]}}
    return {
        "create-component": {"name": name, "version": "1.0.0", "previousComponentId": i["component"]},
        "update-component": {"name": name, "version": "9.9.9"},
        "update-connector-settings": {"settings": {"workspace": f"b-{tag}"}},
        "create-customer": {"name": name, "slug": p["customerSlug"]},
        "update-customer": {"name": name},
        "create-customer-integration": link,
        "update-customer-integration": link,
        "create-deployment-zone": zone,
        "update-deploymentZone": zone,
        "create-entitlement-group": {"name": name, "slug": p["entitlementGroupSlug"], "description": ""},
        "update-entitlement-group": {"name": name, "description": ""},
        "add-entitlement-to-group": {"entitlementSlug": p["entitlementSlug"]},
        "create-entitlement": entitlement,
        "update-entitlement": entitlement,
        "create-feature-flag": {**flag, "slug": p["featureFlagSlug"]},
        "update-feature-flag": flag,
        "lint-targeting-rule": {"rule": f"__kaiten.customer.slug == '{p['customerSlug']}'"},
        # The facts come back in the answer: none may be A's, whose customer and instance the context names.
        "test-targeting-rule": {"rule": f"__kaiten.customer.slug == '{p['customerSlug']}'", "targetingKey": p["customerSlug"], "context": hints},
        "createInstance": instance,
        "updateInstance": instance,
        "patchInstance": {"status": "DEGRADED"},
        "reportEntitlementUsageMetric": {"value": {"type": "number", "value": 1}, "behavior": "append"},
        "create-instance-integration": link,
        "update-instance-integration": link,
        "upsert-customer-integration-by-external-id": {},
        "upsert-instance-integration-by-external-id": {},
        "create-license": {"name": name, "slug": p["licenseSlug"], "type": "PAID", "description": "", "isDefault": False},
        "update-license": {"name": name, "type": "PAID", "description": "", "isDefault": False},
        "associate-entitlement-with-license": {"entitlementSlug": p["entitlementSlug"], "value": {"type": "number", "value": 1}},
        "update-license-entitlement": {"value": {"type": "number", "value": 1}},
        "create-metadata-field": {"resourceType": "INSTANCE", "key": i["field_key"], "label": name, "jsonSchema": {"type": "string"}},
        "reorder-metadata-fields": {"ids": [i["field"]]},
        "update-metadata-field": {"resourceType": "INSTANCE", "key": f"b_{tag}", "label": name, "jsonSchema": {"type": "string"}},
        "dry-run-metadata-field": {"jsonSchema": {"type": "integer"}},
        "evaluateFlagsBulk": {"context": {"targetingKey": p["customerSlug"], **hints}},
        "evaluateFlag": {"context": {"targetingKey": p["customerSlug"], **hints}},
        "create-release": {"version": f"b-{tag}", "componentIds": [i["component"]]},
        "create-service-account": {"name": name, "slug": p["serviceAccountSlug"]},
        "update-service-account": {"name": name},
        "create-service-account-token": {"name": name, "scopes": ["read:customers"]},
        "putNotificationPreferences": {"events": [{"eventName": "CUSTOMER_UPDATED", "channels": {"in_app": False}}]},
        "markNotificationsRead": {"ids": [i["notification"]]},
        "create-webhook-endpoint": {"url": f"https://b{tag}.example.com/hook"},
        "update-webhook-endpoint": {"url": f"https://b{tag}.example.com/hook", "enabled": True},
        "replay-webhook-endpoint": {"since": (datetime.now(timezone.utc) - timedelta(days=1)).isoformat()},
        "rotate-webhook-secret": {},
    }


def operations(document: dict):
    for path, item in document["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method], [*item.get("parameters", []), *item[method].get("parameters", [])]


def fill(path: str, parameters: list[dict], values: dict[str, str]) -> tuple[str, dict[str, str]]:
    query = {}
    for parameter in parameters:
        name = parameter.get("name")
        if parameter.get("in") == "path":
            # A parameter whose meaning depends on the segment before it: `externalId@customer`.
            segment = path.split("{" + name + "}")[0].rstrip("/").rsplit("/", 1)[-1]
            name = f"{name}@{segment}" if f"{name}@{segment}" in values else name
            assert name in values, f"{path}: no value of A's for the path parameter {name}; add one to build_world"
            path = path.replace("{" + name.split("@")[0] + "}", values[name])
        elif parameter.get("in") == "query" and parameter.get("required"):
            assert name in values, f"{path}: no value of A's for the required query parameter {name}"
            query[name] = values[name]
    return path, query


def leaked(response: httpx.Response, sent: str, markers: set[str]) -> list[str]:
    """A's identifiers in a response (headers included) that B did not send itself (a 404 may echo the path it
    was asked)."""
    text = response.text + json.dumps(dict(response.headers))
    # An adapter named in the path comes back as the link's full name.
    sent += " ".join(f"kaiten.integration.{segment}" for segment in sent.split("/"))
    return sorted(m for m in markers if m in text and m not in sent)


# What changes on its own: the delivery of A's messages to an address that does not resolve goes on.
DELIVERY = {"attempts", "lastAttemptAt", "nextAttemptAt", "status"}
# What A's own reads write: reading a usage meter is audited. Counted apart (see the test).
READ_EVENT = "ENTITLEMENT_VALUE_GET"


def settled(body):
    """`body` without what the webhook delivery loop moves on its own; attempts are reduced to their ids' count."""
    if isinstance(body, dict) and isinstance(body.get("items"), list) and body["items"] and "attemptNumber" in body["items"][0]:
        return {"attempts": "recorded"}
    if isinstance(body, dict):
        return {k: settled(v) for k, v in body.items() if k not in DELIVERY or not isinstance(v, (int, str, type(None)))}
    if isinstance(body, list):
        return [settled(v) for v in body if not (isinstance(v, dict) and v.get("eventName") == READ_EVENT)]
    return body


def snapshot(http: httpx.Client, document: dict, world: World) -> dict[str, object]:
    """Every GET of the document, read by A."""
    seen = {}
    for path, method, operation, parameters in operations(document):
        if method != "get" or operation["operationId"] in ("healthz", "readyz"):
            continue
        url, query = fill(path, parameters, world.params)
        response = http.get(url.lstrip("/"), params=query)
        body = response.json() if response.content else None
        seen[operation["operationId"]] = (response.status_code, settled(body))
    return seen


@pytest.fixture
def tenant_b(platform):
    """Organization B, and a write:* organization token of B's."""
    org = platform.organizations.ensure(external_id=f"org_b{uuid.uuid4().hex[:12]}", name="Tenant B")
    return org, platform.tokens.mint(org.id, name="tenant-b").token


@pytest.fixture(params=["organization token", "person's JWT", "service account token"])
def tenant_b_any(request, tenant_b, sign_jwt, core_client):
    """Organization B with a write:* credential of each kind: each finds its organization its own way."""
    org, token = tenant_b
    if request.param == "person's JWT":
        token = sign_jwt({"sub": f"person-{uuid.uuid4().hex[:8]}", "kaiten_external_org_id": org.external_id, "scopes": ["write:*"]})
    elif request.param == "service account token":
        account = core_client(token).service_accounts.create(name="Tenant B robot")
        token = core_client(token).service_accounts.create_token(account.slug, name="probe", scopes=["write:*"]).token
    return org, token


def test_organization_b_reaches_nothing_of_organization_a(
    kaiten, client, organization, tenant_b_any, platform, core_http, decode_jwt, outbox_events
):
    a_org, a_token = organization
    b_org, b_token = tenant_b_any
    a_http, b_http = core_http(a_token), core_http(b_token)
    document = httpx.get(f"{kaiten.core_url}/openapi.json").json()
    world = build_world(client, platform, a_http)
    world.markers |= {a_org.id, a_org.external_id, a_org.name}
    before = snapshot(a_http, document, world)
    assert before["getInstance"][0] == 200 and before["get-connector-settings"][0] == 200
    instance = world.params["instanceSlug"]

    def reads_audited() -> list[str]:
        return [e.id for e in client.instances.list_audit_trails(instance, event_name=READ_EVENT, limit=100)]

    wait_for(reads_audited, "A's reading of its meter in A's audit trail")
    audited = reads_audited()
    a_events = [e for e in outbox_events(a_org.id) if e["name"] != READ_EVENT]

    tag = uuid.uuid4().hex[:8]
    write_bodies = bodies(world, tag)
    probes = sorted(operations(document), key=lambda op: op[2]["operationId"] in CREATIONS)
    failures, everything_sent = [], ""
    for path, method, operation, parameters in probes:
        op_id = operation["operationId"]
        url, query = fill(path, parameters, world.params)
        body = write_bodies.get(op_id)
        if body is None and "requestBody" in operation and operation["requestBody"].get("required"):
            failures.append(f"{op_id}: no body to send; add one to bodies()")
            continue
        response = b_http.request(method.upper(), url.lstrip("/"), params=query, json=body)
        statuses, _ = EXPECTED.get(op_id, ({404}, "not found for B"))
        sent = url + json.dumps(query) + json.dumps(body)
        everything_sent += sent
        if response.status_code not in statuses:
            failures.append(f"{op_id} {method.upper()} {url}: {response.status_code}, expected {sorted(statuses)}: {response.text[:300]}")
        if op_id.startswith("validate-token") and b_token.startswith("ksh_") and response.status_code != 200:
            failures.append(f"{op_id}: B's own ksh_ token refused: {response.status_code}")
        if op_id.startswith("validate-token") and response.status_code == 200:
            _, claims = decode_jwt(response.headers["authorization"].removeprefix("Bearer "))
            if claims["kaiten_external_org_id"] != b_org.external_id:
                failures.append(f"{op_id}: B's token answered with the claims {claims}")
        if found := leaked(response, sent, world.markers):
            failures.append(f"{op_id} {method.upper()} {url}: A's {found} in B's answer: {response.text[:300]}")
    assert not failures, "organization B reached organization A:\n" + "\n".join(failures)

    # Once B's last write has gone through the pipeline, anything B's calls made it write has too.
    with KaitenClient(base_url=kaiten.core_url, token=b_token, max_retries=0) as b_client:
        sentinel = b_client.customers.create(name=f"Tenant B {tag} last", slug=f"b{tag}-last")
        wait_for(lambda: any(n["actionUrl"].endswith(sentinel.slug) for n in b_http.get("v1/notifications").json()["data"]),
                 "B's last write in B's feed")
    assert reads_audited() == audited, "B's reads were audited as A's"
    written = [e for e in outbox_events(a_org.id) if e["name"] != READ_EVENT][len(a_events):]
    assert not written, f"B's calls wrote events in A's name: {[e['name'] for e in written]}"
    b_events = json.dumps(outbox_events(b_org.id), default=str)
    assert not (found := [m for m in world.markers if m in b_events and m not in everything_sent]), f"A's {found} in B's events"
    after = snapshot(a_http, document, world)
    changed = {op: (before[op], after[op]) for op in before if before[op] != after[op]}
    assert not changed, f"B's calls changed A's data: {json.dumps(changed, indent=1, default=str)[:3000]}"


def test_platform_api_refuses_organization_tokens_and_keeps_organizations_apart(
    kaiten, client, organization, tenant_b, platform, platform_http, core_http
):
    a_org, a_token = organization
    b_org, b_token = tenant_b
    world = build_world(client, platform, core_http(a_token))
    document = httpx.get(f"{kaiten.platform_url}/platform-openapi.json").json()
    values = {"orgId": a_org.id, "userId": str(uuid.uuid4()), "id": str(uuid.uuid4()), "tokenSlug": world.params["tokenSlug"]}
    b_platform = platform_http(b_token)
    for path, method, operation, parameters in operations(document):
        url, _ = fill(path, parameters, values)
        response = b_platform.request(method.upper(), url.lstrip("/"), json={} if method in ("post", "put", "patch") else None)
        assert response.status_code in (401, 403), f"{operation['operationId']} with B's organization token: {response.status_code}"
        assert not leaked(response, url, world.markers | {a_org.id}), response.text

    operator = platform_http(kaiten.platform_token)
    for answer in (
        operator.get(f"platform/organizations/{b_org.id}"),
        operator.get(f"platform/organizations/{b_org.id}/tokens"),
    ):
        assert answer.status_code == 200, answer.text
        assert not leaked(answer, "", world.markers | {a_org.id, a_org.name}), answer.text
    assert [t.name for t in platform.tokens.list(b_org.id)] == ["tenant-b"]


def test_b_cannot_tie_its_own_things_to_one_of_a(kaiten, client, organization, tenant_b_any, platform, core_http, core_client):
    """A reference to A's thing among B's own is refused as unknown: an existence check that forgot the
    organization would let B's instance run on A's license, or B's zone deploy A's release."""
    _, a_token = organization
    _, b_token = tenant_b_any
    world = build_world(client, platform, core_http(a_token))
    i, p = world.ids, world.params
    b, http = core_client(b_token), core_http(b_token)
    tag = uuid.uuid4().hex[:8]
    customer = b.customers.create(name=f"B {tag}", slug=f"b{tag}-acme")
    b.customers.create_integration(customer.slug, p["integrationName"], external_id=f"b{tag}-rec")
    license_ = b.licenses.create(name=f"B {tag}", slug=f"b{tag}-growth", type="PAID")
    group = b.entitlement_groups.create(name=f"B {tag}", slug=f"b{tag}-group", description="")
    component = b.components.create(name=f"B {tag}", version="1.0.0")
    release = b.releases.create(version=f"b{tag}", component_ids=[component.id])
    zone = b.deployment_zones.create(name=f"B {tag}", type="production", release_id=release.id)
    field_ = b.metadata_fields.create(resource_type="INSTANCE", key=f"b{tag}_key", label="k", json_schema={"type": "string"})
    instance = b.instances.create(
        name=f"B {tag}", slug=f"b{tag}-prod", customer_id=customer.id, license_id=license_.id, deployment_zone_id=zone.id,
        start_license_date=START, end_license_date=END,
    )
    term = {"startLicenseDate": START.isoformat(), "endLicenseDate": END.isoformat()}
    own = {"name": f"B {tag}", "description": "", "customerId": customer.id, "licenseId": license_.id, "deploymentZoneId": zone.id, **term}
    attempts = [
        ("POST", "instances", {**own, "licenseId": i["license"]}),
        ("POST", "instances", {**own, "licenseId": i["draft"]}),
        ("POST", "instances", {**own, "deploymentZoneId": i["zone"]}),
        ("PUT", f"instances/{instance.slug}", {**own, "licenseId": i["license"]}),
        ("PUT", f"instances/{instance.slug}", {**own, "customerId": i["customer"]}),
        ("PUT", f"instances/{instance.slug}", {**own, "deploymentZoneId": i["zone"]}),
        ("POST", "releases", {"version": f"b{tag}-2", "componentIds": [component.id, i["component"]]}),
        ("PUT", f"deployment-zones/{zone.slug}", {"name": "Z", "type": "production", "description": "", "releaseId": i["release"]}),
        ("POST", "licenses", {"name": "L", "type": "PAID", "description": "", "isDefault": False, "familySlug": p["familySlug"]}),
        ("POST", f"licenses/{license_.slug}/entitlements", {"entitlementSlug": p["entitlementSlug"], "value": {"type": "number", "value": 1}}),
        ("POST", f"entitlement-groups/{group.slug}/entitlements", {"entitlementSlug": p["entitlementSlug"]}),
        ("GET", f"entitlement-groups/{group.slug}/usage?instance={p['instanceSlug']}", None),
        ("POST", "metadata-fields/reorder", {"ids": [field_.id, i["field"]]}),
        ("PATCH", f"integration/{p['adapter']}/instance/b{tag}-ws", {
            "name": "W", "description": "d", "customerExternalId": f"b{tag}-rec", "licenseId": i["license"], **term,
        }),
        ("PATCH", f"integration/{p['adapter']}/instance/b{tag}-ws", {
            "name": "W", "description": "d", "customerExternalId": f"b{tag}-rec", "licenseId": license_.id, "deploymentZoneId": i["zone"], **term,
        }),
        ("PATCH", f"integration/{p['adapter']}/instance/b{tag}-ws", {
            "name": "W", "description": "d", "customerExternalId": i["customer_record"], "licenseId": license_.id, **term,
        }),
    ]
    failures = []
    for method, url, body in attempts:
        response = http.request(method, url, json=body)
        sent = url + json.dumps(body)
        if response.status_code != 404:
            failures.append(f"{method} {url} {body}: {response.status_code} {response.text[:300]}")
        if found := leaked(response, sent, world.markers):
            failures.append(f"{method} {url}: A's {found} in B's answer")
    assert not failures, "B tied its own things to A's:\n" + "\n".join(failures)
    # The bodies are valid: with B's own things in place of A's, the same calls succeed.
    assert http.post("instances", json=own).status_code == 201
    upsert = {"name": "W", "description": "d", "customerExternalId": f"b{tag}-rec", "licenseId": license_.id, **term}
    assert http.patch(f"integration/{p['adapter']}/instance/b{tag}-ws", json=upsert).status_code == 200
    fetched = b.instances.get(instance.slug)
    assert (fetched.license_id, fetched.customer_id, fetched.deployment_zone_id) == (license_.id, customer.id, zone.id)
    assert b.deployment_zones.get(zone.slug).release_id == release.id


def test_b_flags_read_no_facts_of_a(kaiten, client, organization, tenant_b, platform, core_http, core_client):
    """B's flag rules are enriched from B's data only: A's customer slug as the targeting key, and A's instance
    named as the one asking, resolve to nothing -- even when B's rule tests for exactly A's facts."""
    _, a_token = organization
    _, b_token = tenant_b
    world = build_world(client, platform, core_http(a_token))
    p = world.params
    b, http = core_client(b_token), core_http(b_token)
    rules = [
        targeting.rule("A's license", f"__kaiten.license.familySlug == '{p['familySlug']}'", "on"),
        targeting.rule("A's instance", f"has(__kaiten.instance.slug) && __kaiten.instance.slug == '{p['instanceSlug']}'", "on"),
        targeting.rule("A's customer", f"has(__kaiten.customer.slug) && __kaiten.customer.slug == '{p['customerSlug']}'", "on"),
    ]
    b.feature_flags.create(
        name="Probe", slug=p["featureFlagSlug"], type="boolean", default_variant="off", targetings=rules,
        variants=[targeting.variant("on", True), targeting.variant("off", False)],
    )
    context = {"targetingKey": p["customerSlug"], "kaiten": {"instanceSlug": p["instanceSlug"]}}
    answer = http.post(f"ofrep/v1/evaluate/flags/{p['featureFlagSlug']}", json={"context": context})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["value"], answer.json()["variant"]) == (False, "off")
    # A's own evaluation of the same context does match: the rule is right, the facts are A's alone.
    a_answer = core_http(a_token).post(f"ofrep/v1/evaluate/flags/{p['featureFlagSlug']}", json={"context": context})
    assert a_answer.status_code == 200 and a_answer.json()["value"] is True, a_answer.text
    for rule in rules:
        rehearsal = http.post("feature-flags/targeting/test", json={"rule": rule["rule"], "targetingKey": p["customerSlug"], "context": context})
        assert rehearsal.status_code == 200 and rehearsal.json()["matched"] is False, rehearsal.text
        assert not leaked(rehearsal, json.dumps(context) + json.dumps(rules), world.markers), rehearsal.text


def test_a_cursor_of_a_pages_nothing_of_a_for_b(kaiten, client, organization, tenant_b, platform, core_http):
    """A list's cursor is no key to another organization's rows: B sending the cursor A was handed reads B's
    own rows (or is refused), never A's next page."""
    _, a_token = organization
    _, b_token = tenant_b
    a_http, b_http = core_http(a_token), core_http(b_token)
    world = build_world(client, platform, a_http)
    document = httpx.get(f"{kaiten.core_url}/openapi.json").json()
    paged = 0
    for path, method, operation, parameters in operations(document):
        if method != "get" or "cursor" not in {parameter.get("name") for parameter in parameters}:
            continue
        url, query = fill(path, parameters, world.params)
        first = a_http.get(url.lstrip("/"), params={**query, "limit": 1})
        assert first.status_code == 200, f"{operation['operationId']}: {first.text[:300]}"
        cursor = first.json().get("nextCursor")
        if not cursor:
            continue
        paged += 1
        # B asks for the same collection, or A's (404 for B), with A's cursor.
        response = b_http.get(url.lstrip("/"), params={**query, "limit": 1, "cursor": cursor})
        assert response.status_code in (200, 400, 404, 422), f"{operation['operationId']}: {response.status_code} {response.text[:300]}"
        assert not (found := leaked(response, url + json.dumps(query) + cursor, world.markers)), (
            f"{operation['operationId']} with A's cursor: A's {found} in B's answer: {response.text[:300]}"
        )
    assert paged >= 3, "A's lists handed out too few cursors to try"


def test_one_person_in_two_organizations_keeps_each_feed_and_preferences_apart(sign_jwt, core_http):
    """A person is one user across organizations (their id derives from `sub` alone): what they read, mark and
    choose in B stays in B."""
    sub, tag = f"person-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex[:8]
    a, b = (
        core_http(sign_jwt({"sub": sub, "kaiten_external_org_id": f"org_{side}{tag}", "scopes": ["write:*"]}))
        for side in ("a", "b")
    )
    assert a.post("customers", json={"name": f"A {tag}", "slug": f"a{tag}"}).status_code == 201
    assert b.post("customers", json={"name": f"B {tag}", "slug": f"b{tag}"}).status_code == 201
    wait_for(lambda: a.get("v1/notifications").json()["data"] and b.get("v1/notifications").json()["data"], "both feeds")
    a_feed, a_preferences = a.get("v1/notifications").json(), a.get("v1/notification-preferences").json()
    assert [n["title"] for n in b.get("v1/notifications").json()["data"]] == [f"Customer created: B {tag}"]

    assert b.post("v1/notifications/mark-read", json={"ids": [n["id"] for n in a_feed["data"]]}).json()["updated"] == 0
    assert b.post("v1/notifications/mark-read", json={"all": True}).json() == {"updated": 1, "unreadCount": 0}
    choice = {"events": [{"eventName": "CUSTOMER_CREATED", "channels": {"in_app": False}}]}
    assert b.put("v1/notification-preferences", json=choice).status_code == 200
    assert a.get("v1/notifications").json() == a_feed
    assert a.get("v1/notification-preferences").json() == a_preferences


def test_webhook_endpoints_receive_their_own_organizations_events_only(organization, tenant_b, core_http, client, core_client):
    _, a_token = organization
    _, b_token = tenant_b
    a, b = core_http(a_token), core_http(b_token)
    tag = uuid.uuid4().hex[:8]
    endpoints = {}
    for side, http in (("a", a), ("b", b)):
        created = http.post("webhooks/endpoints", json={"url": f"https://{side}{tag}.example.com/hook"})
        assert created.status_code == 201, created.text
        endpoints[side] = created.json()["id"]
    made = {"a": client.customers.create(name=f"A {tag}", slug=f"a{tag}"), "b": core_client(b_token).customers.create(name=f"B {tag}", slug=f"b{tag}")}

    def messages(side: str) -> list[dict]:
        http = a if side == "a" else b
        return http.get(f"webhooks/endpoints/{endpoints[side]}/messages", params={"limit": 100}).json()["items"]

    for side in ("a", "b"):
        wait_for(lambda: any(m["payload"]["data"].get("id") == made[side].id for m in messages(side)), f"{side}'s event")
    other = {"a": "b", "b": "a"}
    for side in ("a", "b"):
        text = json.dumps(messages(side))
        assert made[other[side]].id not in text and f"{other[side]}{tag}" not in text, f"{side}'s endpoint got the other's event"
