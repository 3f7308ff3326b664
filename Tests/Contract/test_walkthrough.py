"""The SDK's own walk-through: what its README's guide and its examples' playbook do, step by step, against a
live server -- a catalog, a license and a second version of it, a customer linked to a CRM, a component, a
release and the zone running it, a metadata field, an instance in that zone metered until the license refuses
a report, a feature flag evaluated through OpenFeature, tokens minted and revoked -- then everything deleted
through the SDK in dependency order, after which nothing that has a delete operation is left behind."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import (
    UNLIMITED,
    AuthenticationError,
    ConflictError,
    KaitenClient,
    NotFoundError,
    ThresholdExceededError,
    targeting,
)
from kaitencloud import usage as enforcement
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext

# A link is named by its full integration name; a connector's lookup by record id takes the adapter without
# the `kaiten.integration.` prefix (the contract's `adapter` parameter). The playbook's one name for both
# (`playbook-crm`) finds nothing by record id, here as in Kaiten, so the walk-through names them the way the
# contract does.
CRM = "kaiten.integration.crm.playbook"
ADAPTER = "crm.playbook"


def collections(client: KaitenClient) -> dict[str, list[str]]:
    """The slugs of everything the Core API can delete, collection by collection."""
    return {
        "customers": [c.slug for c in client.customers.list()],
        "instances": [i.slug for i in client.instances.list()],
        "licenses": [lic.slug for lic in client.licenses.list()],
        "license families": [f.slug for f in client.license_families.list()],
        "entitlements": [e.slug for e in client.entitlements.list()],
        "entitlement groups": [g.slug for g in client.entitlement_groups.list()],
        "feature flags": [f.slug for f in client.feature_flags.list()],
        "deployment zones": [z.slug for z in client.deployment_zones.list()],
        "releases": [r.slug for r in client.releases.list()],
        "components": [c.slug for c in client.components.list()],
        "metadata fields": [f.key for f in client.metadata_fields.list("INSTANCE") if f.archived_at is None],
        # Revoking is the tokens' delete; a revoked token stays listed, marked revoked.
        "live service account tokens": [
            t.slug
            for account in client.service_accounts.list()
            for t in client.service_accounts.list_tokens(account.slug)
            if t.revoked_at is None
        ],
    }


def test_the_playbook_builds_one_of_everything_and_deletes_it_all(kaiten, client, organization, platform, core_client):
    org, token = organization
    before = collections(client)
    run = uuid.uuid4().hex[:4]
    slug = lambda name: f"playbook-{run}-{name}"  # noqa: E731
    title = lambda name: f"Playbook {run}: {name}"  # noqa: E731
    group, seats, calls, sso, growth = slug("quotas"), slug("seats"), slug("api-calls"), slug("sso"), slug("growth")

    # catalog: an entitlement group and the entitlements it holds
    client.entitlement_groups.create(name=title("Quotas"), slug=group, description="What the playbook meters")
    client.entitlements.create(
        name=title("Seats"), slug=seats, type="NUMBER", description="Named users", aggregation_method="SUM",
        unit_singular="seat", unit_plural="seats", user_facing=True, display_order=1, warning_threshold_percent=80,
        group_slugs=[group],
    )
    client.entitlements.create(
        name=title("API calls"), slug=calls, type="NUMBER", aggregation_method="SUM", reset_period="MONTH",
        reset_anchor="CALENDAR", unit_singular="call", unit_plural="calls", group_slugs=[group],
    )
    client.entitlements.create(name=title("Single sign-on"), slug=sso, type="BOOLEAN", description="SSO")
    assert client.entitlements.get(seats).warning_threshold_percent == 80
    client.entitlement_groups.add_entitlement(group, sso)
    client.entitlement_groups.remove_entitlement(group, sso)
    client.entitlements.update(
        seats, name=title("Seats"), type="NUMBER", description="Named users", aggregation_method="SUM",
        unit_singular="seat", unit_plural="seats", user_facing=True, display_order=2, warning_threshold_percent=90,
        group_slugs=[group],
    )
    assert client.entitlements.get(seats).warning_threshold_percent == 90

    # license: the values it grants, and a second version of it
    license_ = client.licenses.create(name=title("Growth"), slug=growth, type="PAID", description="The plan")
    client.licenses.associate_entitlement(growth, seats, 5, overage_percent=20)
    client.licenses.associate_entitlement(growth, calls, UNLIMITED)
    client.licenses.associate_entitlement(growth, sso, True)
    assert {g.entitlement_slug for g in client.licenses.list_entitlements(growth)} == {seats, calls, sso}
    granted = client.licenses.get_entitlement(growth, seats)
    assert enforcement.maximum_allowed_usage(granted.value.value, granted.limit_cap_exceeded_overage_percent) == 6

    draft = client.licenses.create(
        name=title("Growth"), slug=f"{growth}-v2", type="PAID", family_slug=growth, lifecycle_state="DRAFT",
        description="The next version",
    )
    assert (draft.version, draft.lifecycle_state) == ("2", "DRAFT")
    assert client.license_families.get(growth).current_version.slug == growth
    client.licenses.publish(draft.slug)
    assert client.license_families.get(growth).current_version.slug == draft.slug
    client.licenses.archive(draft.slug)
    assert client.license_families.get(growth).current_version.slug == growth
    client.licenses.unarchive(draft.slug)
    pinned = client.license_families.get(growth, version=1, include_versions=True)
    assert pinned.current_version.slug == growth
    assert [(v.version, v.lifecycle_state) for v in sorted(pinned.versions, key=lambda v: int(v.version))] == [
        ("1", "PUBLISHED"), ("2", "PUBLISHED")
    ]

    # customer: and its link to a CRM, reached by the record's id as a connector would
    customer_slug, record = slug("acme"), f"crm-{run}"
    client.customers.create(name=title("Acme"), slug=customer_slug, external_customer_id=record, domain=f"acme-{run}.example")
    client.customers.update(customer_slug, name=title("Acme Corp"), external_customer_id=record)
    client.customers.create_integration(customer_slug, CRM, external_id=record, metadata={"stage": "trial"})
    assert client.customers.get_integration(customer_slug, CRM).external_id == record
    assert client.integrations.get_customer(ADAPTER, record).slug == customer_slug
    synced = client.integrations.upsert_customer(ADAPTER, record, name=title("Acme Corp"), integration_metadata={"stage": "won"})
    assert synced.slug == customer_slug and synced.integration_metadata == {"stage": "won"}
    customer = client.customers.get(customer_slug)

    # product: a component, a release holding it, the zone running the release
    component = client.components.create(name=title("API gateway"), version="1.0.0", slug=slug("gateway"), description="d")
    release = client.releases.create(
        version=f"1.0.0-{run}", slug=slug("v1"), description="What the zone runs", component_ids=[component.id]
    )
    zone = client.deployment_zones.create(
        name=title("Playground"), slug=slug("zone"), type="development", description="d", metadata={}, release_id=release.id
    )
    # The release holds version 1.0.0, so updating it writes 1.0.1 beside it.
    successor = client.components.update(slug("gateway"), name=title("API gateway"), version="1.0.1", description="d")
    assert successor.previous_component_id == component.id
    assert client.deployment_zones.get(zone.slug).release_id == release.id

    # metadata: a typed field instances must satisfy
    key = f"playbook_{run}_region"
    field = client.metadata_fields.create(
        resource_type="INSTANCE", key=key, label="Playbook region", json_schema={"type": "string", "enum": ["eu-west-1", "us-east-1"]}
    )
    assert client.metadata_fields.dry_run(field.id, {"type": "string", "enum": ["eu-west-1"]}).count == 0
    client.metadata_fields.update(
        field.id, resource_type="INSTANCE", key=key, label="Hosting region",
        json_schema={"type": "string", "enum": ["eu-west-1", "us-east-1"]},
    )
    client.metadata_fields.reorder([f.id for f in client.metadata_fields.list("INSTANCE")])

    # instance: in that zone, for that customer, on version 1 of the license
    instance_slug, started = slug("production"), datetime.now(timezone.utc)
    client.instances.create(
        name=title("Production"), slug=instance_slug, customer_id=customer.id, license_id=license_.id,
        deployment_zone_id=zone.id, start_license_date=started, end_license_date=started + timedelta(days=365),
        description="The instance the playbook meters", metadata={key: "eu-west-1"},
    )
    created = client.instances.get(instance_slug)
    assert (created.customer_slug, created.license_slug, created.deployment_zone_slug) == (customer_slug, growth, zone.slug)
    client.instances.update_status(instance_slug, "DEGRADED")
    client.instances.update_lifecycle_stage(instance_slug, "TRIAL")
    assert (client.instances.get(instance_slug).status, client.instances.get(instance_slug).lifecycle_stage) == ("DEGRADED", "TRIAL")
    client.instances.create_integration(instance_slug, CRM, external_id=f"inst-{run}", metadata={"plan": "growth"})
    assert client.integrations.get_instance(ADAPTER, f"inst-{run}").slug == instance_slug

    # usage: metered until the license refuses a report (5 seats and 20% over: the 7th is refused)
    accepted = 0
    with pytest.raises(ThresholdExceededError) as refused:
        for _ in range(10):
            client.instances.report_usage(instance_slug, seats, 1)
            accepted += 1
    assert accepted == 6 and refused.value.status_code == 409
    assert client.instances.get_usage(instance_slug, seats).value.value == 6
    assert enforcement.remaining(5, 6, granted.limit_cap_exceeded_overage_percent) == 0
    assert client.instances.report_usage(instance_slug, seats, 2, behavior="set").value.value == 2
    assert seats in {row.entitlement_slug for row in client.instances.list_usage(instance_slug)}
    assert {m.entitlement_slug for m in client.entitlement_groups.get_usage(group, instance_slug)} == {seats, calls}
    assert client.instances.list_audit_trails(instance_slug, limit=5)

    # flags: defined through the SDK, evaluated through OpenFeature over OFREP
    flag_slug = slug("new-checkout")
    variants = [targeting.variant("on", True), targeting.variant("off", False)]
    rules = [
        targeting.rule("The playbook's customer", f"__kaiten.customer.slug == '{customer_slug}'", "on"),
        targeting.split_rule("Everyone else", "true", {"on": 50, "off": 50}),
    ]
    client.feature_flags.create(
        name=title("New checkout"), slug=flag_slug, type="boolean", variants=variants, default_variant="off",
        targetings=rules, description="Does this customer get the new checkout?", metadata={"playbook": run},
    )
    # The manifest lists the flags whose metadata names a fallback_value; the playbook's names none.
    assert client.feature_flags.manifest() == []
    domain = f"playbook-{run}"
    api.set_provider(OFREPProvider(kaiten.core_url, headers_factory=lambda: {"Authorization": f"Bearer {token}"}), domain)
    flags = api.get_client(domain)
    # __kaiten.customer is the customer of the instance the context names (kaiten.instanceSlug), as in Kaiten;
    # the playbook, naming none, lands in its 50/50 split instead.
    context = EvaluationContext(targeting_key=customer_slug, attributes={"region": "eu", "kaiten": {"instanceSlug": instance_slug}})
    assert flags.get_boolean_details(flag_slug, False, context).value is True
    client.feature_flags.update(
        flag_slug, name=title("New checkout"), type="boolean", variants=variants, default_variant="off",
        targetings=rules, enabled=False,
    )
    assert flags.get_boolean_details(flag_slug, True, context).value is False, "a disabled flag serves its default variant"

    # tokens: a service account's token works until it is revoked
    account = slug("robot")
    client.service_accounts.create(name=title("Robot"), slug=account)
    minted = client.service_accounts.create_token(
        account, name=title("token"), slug=slug("token"), scopes=["read:customers"],
        expires_at=datetime.now(timezone.utc) + timedelta(hours=1),
    )
    assert [c.slug for c in core_client(minted.token).customers.list()] == [customer_slug]
    assert [t.slug for t in client.service_accounts.list_tokens(account)] == [slug("token")]
    client.service_accounts.delete_token(account, slug("token"))
    assert [t.revoked_at is not None for t in client.service_accounts.list_tokens(account)] == [True]
    with pytest.raises(AuthenticationError):
        core_client(minted.token).customers.list()

    # platform: a token minted in the organization, listed and revoked
    assert platform.organizations.get(org.id).id == org.id
    platform_tokens = [t.slug for t in platform.tokens.list(org.id)]
    short_lived = platform.tokens.mint(org.id, name=title("platform token"), scopes=["read:customers"], ttl=timedelta(minutes=15))
    assert short_lived.slug in [t.slug for t in platform.tokens.list(org.id)]
    platform.tokens.revoke(org.id, short_lived.slug)
    assert [t.slug for t in platform.tokens.list(org.id)] == platform_tokens

    # cleanup: in dependency order -- an instance holds a license and a customer, a grant holds its license
    # and its entitlement (as in Kaiten, a license that still grants something is not deleted: the playbook's
    # cleanup, which skips this, is refused there), a zone holds a release, a release holds components
    client.feature_flags.delete(flag_slug)
    client.instances.delete(instance_slug)
    with pytest.raises(ConflictError) as in_use:
        client.licenses.delete(growth)
    assert in_use.value.code == "DeleteLicense.InUseConflict"
    for entitlement in (seats, calls, sso):
        client.licenses.delete_entitlement(growth, entitlement)
    client.licenses.delete(draft.slug)
    client.licenses.delete(growth)
    client.customers.delete(customer_slug)
    for entitlement in (seats, calls, sso):
        client.entitlements.delete(entitlement)
    client.entitlement_groups.delete(group)
    client.deployment_zones.delete(zone.slug)
    client.releases.delete(release.slug)
    client.components.delete(successor.slug)
    client.components.delete(component.slug)
    client.metadata_fields.archive(field.id)  # never deleted: archiving frees the key

    with pytest.raises(NotFoundError):
        client.integrations.get_customer(ADAPTER, record)
    with pytest.raises(NotFoundError):
        client.integrations.get_instance(ADAPTER, f"inst-{run}")
    assert collections(client) == before
    assert [t.slug for t in platform.tokens.list(org.id)] == platform_tokens
