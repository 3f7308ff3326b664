"""SDK methods called with every argument and with only the required ones, where the per-area suites call
them one way only: what sdk_coverage.py asks of a full run. Each call is checked by what the server answers."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from kaitencloud import targeting

from conftest import wait_for

ATTIO = "kaiten.integration.crm.attio"
START = datetime(2026, 1, 1, tzinfo=timezone.utc)
END = datetime(2027, 1, 1, tzinfo=timezone.utc)


def test_customers_groups_and_tokens_with_every_argument(client, core_client):
    created = client.customers.create(
        name="Acme", slug="acme", external_customer_id="crm-1", domain="acme.com",
        integrations={ATTIO: {"external_id": "rec_1", "metadata": {"tier": "gold"}, "web_url": "https://app.attio.com/r/1",
                              "last_error": "stale"}},
    )
    assert (created.slug, created.external_customer_id, created.domain) == ("acme", "crm-1", "acme.com")
    link = created.integrations[ATTIO]
    assert (link.external_id, link.metadata, link.web_url, link.last_error) == (
        "rec_1", {"tier": "gold"}, "https://app.attio.com/r/1", "stale"
    )

    assert client.customers.update("acme", name="Acme Corp", external_customer_id="crm-2", domain="acme.io") is None
    updated = client.customers.get("acme")
    assert (updated.name, updated.external_customer_id, updated.domain) == ("Acme Corp", "crm-2", "acme.io")
    assert updated.integrations[ATTIO].external_id == "rec_1", "an update leaves the links alone"

    group = client.entitlement_groups.create(name="AI quotas", description="Shared model quotas", slug="ai")
    assert (group.name, group.description, group.slug) == ("AI quotas", "Shared model quotas", "ai")
    assert client.entitlement_groups.get("ai").description == "Shared model quotas"

    account = client.service_accounts.create(name="billing-sync", slug="billing-sync")
    bare = client.service_accounts.create_token("billing-sync", name="default")
    assert bare.token and bare.slug and bare.expires_at is None
    expires = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(days=1)
    full = client.service_accounts.create_token(
        "billing-sync", name="edge", scopes=["read:customers"], slug="edge", expires_at=expires
    )
    assert (full.slug, full.scopes, full.expires_at, full.service_account_id) == ("edge", ["read:customers"], expires, account.id)
    assert sorted(token.slug for token in client.service_accounts.list_tokens("billing-sync")) == sorted([bare.slug, "edge"])
    assert [customer.slug for customer in core_client(full.token).customers.list()] == ["acme"]


def test_entitlement_update_with_every_argument(client):
    client.entitlement_groups.create(name="Usage", slug="usage")
    client.entitlements.create(
        name="Tokens", slug="tokens", type="NUMBER", aggregation_method="SUM", reset_period="MONTH", reset_anchor="CALENDAR"
    )
    assert client.entitlements.update(
        "tokens", name="LLM tokens", type="NUMBER", description="Tokens sent to the model", aggregation_method="SUM",
        reset_period="MONTH", reset_anchor="CALENDAR", warning_threshold_percent=80, group_slugs=["usage"],
        user_facing=True, display_order=3, icon="lucide:cpu", unit_singular="token", unit_plural="tokens",
        sale_unit_singular="pack", sale_unit_plural="packs", sale_unit_factor=1_000_000,
    ) is None
    got = client.entitlements.get("tokens")
    assert (got.name, got.type, got.description) == ("LLM tokens", "NUMBER", "Tokens sent to the model")
    assert (got.aggregation_method, got.reset_period, got.reset_anchor) == ("SUM", "MONTH", "CALENDAR")
    assert (got.warning_threshold_percent, got.user_facing, got.display_order, got.icon) == (80, True, 3, "lucide:cpu")
    assert [g.slug for g in got.entitlement_groups] == ["usage"]
    assert (got.unit_singular, got.unit_plural) == ("token", "tokens")
    assert (got.sale_unit_singular, got.sale_unit_plural, got.sale_unit_factor) == ("pack", "packs", 1_000_000)


def test_feature_flags_with_only_the_required_arguments_and_with_every_one(client):
    on_off = [targeting.variant("on", True), targeting.variant("off", False)]
    bare = client.feature_flags.create(name="Beta", type="boolean", variants=on_off, default_variant="off")
    assert bare.enabled is True and bare.description is None and bare.event_name == "" and bare.metadata == {}
    assert bare.default_variant.value == "off"
    assert client.feature_flags.get(bare.slug).name == "Beta"

    themes = [targeting.variant("dark", "dark"), targeting.variant("light", "light")]
    full = client.feature_flags.create(
        name="Theme", type="string", variants=themes, default_variant=targeting.fixed("light"),
        targetings=[targeting.rule("staff", "email.endsWith('@acme.test')", "dark")], enabled=False,
        description="The console theme", metadata={"owner": "web"}, event_name="theme_viewed", slug="theme",
    )
    assert (full.slug, full.enabled, full.description, full.metadata, full.event_name) == (
        "theme", False, "The console theme", {"owner": "web"}, "theme_viewed"
    )
    assert full.default_variant.value == "light"

    assert client.feature_flags.update(
        "theme", name="Theme", type="string", variants=themes, default_variant="dark",
        targetings=[targeting.rule("guests", "plan == 'free'", "light")], enabled=True,
        description="The console's theme", metadata={"owner": "design", "fallback_value": "light"},
        event_name="theme_shown",
    ) is None
    updated = client.feature_flags.get("theme")
    assert (updated.enabled, updated.description, updated.metadata, updated.event_name) == (
        True, "The console's theme", {"owner": "design", "fallback_value": "light"}, "theme_shown"
    )
    assert updated.default_variant.value == "dark"
    manifest = client.feature_flags.manifest()
    assert [(flag.key, flag.default_value) for flag in manifest] == [("theme", "light")], "only flags with a fallback value"


def test_a_license_version_with_every_argument_and_its_family_read_every_way(client):
    first = client.licenses.create(name="Growth", type="PAID")
    family = first.slug  # a new family takes its first version's slug
    second = client.licenses.create(
        name="Growth", type="PAID", description="Second edition", is_default=True, version_name="Winter 2026",
        slug="growth-winter", family_slug=family, family_id=first.family_id, lifecycle_state="PUBLISHED",
    )
    assert (second.slug, second.family_id, second.version, second.version_name) == (
        "growth-winter", first.family_id, "2", "Winter 2026"
    )
    assert (second.description, second.is_default, second.lifecycle_state) == ("Second edition", True, "PUBLISHED")

    assert client.licenses.update(
        "growth-winter", name="Growth+", type="PAID", description="Winter edition", is_default=False, version_name="Winter 26"
    ) is None
    updated = client.licenses.get("growth-winter")
    assert (updated.name, updated.description, updated.is_default, updated.version_name) == (
        "Growth+", "Winter edition", False, "Winter 26"
    )

    pinned = client.license_families.get(family, version=1, include_versions=True)
    assert pinned.current_version.slug == first.slug
    assert [version.slug for version in pinned.versions] == [first.slug, "growth-winter"]
    assert client.license_families.get(family).current_version.slug == "growth-winter", (
        "with no default, the family serves its highest published version"
    )


def test_instances_with_every_argument(client):
    license = client.licenses.create(name="Growth", type="PAID", slug="growth")
    client.entitlements.create(name="Seats", slug="seats", type="NUMBER")
    client.licenses.associate_entitlement("growth", "seats", 10)
    client.metadata_fields.create(resource_type="INSTANCE", key="tier", label="Tier", json_schema={"type": "string"})
    customer = client.customers.create(name="Acme", slug="acme", integrations={ATTIO: {"external_id": "rec_acme"}})
    eu = client.deployment_zones.create(name="EU", type="production", slug="eu")
    us = client.deployment_zones.create(name="US", type="production", slug="us")
    before = datetime.now(timezone.utc) - timedelta(seconds=5)

    created = client.instances.create(
        name="Prod", customer_id=customer.id, license_id=license.id, start_license_date=START, end_license_date=END,
        description="Main", deployment_zone_id=eu.id, metadata={"tier": "gold"}, slug="prod",
        integrations={ATTIO: {"external_id": "ws_1"}},
    )
    assert (created.slug, created.description, created.deployment_zone_slug, created.metadata) == ("prod", "Main", "eu", {"tier": "gold"})
    assert created.integrations[ATTIO].external_id == "ws_1"

    required = dict(customer_id=customer.id, license_id=license.id, start_license_date=START, end_license_date=END)
    assert client.instances.update("prod", name="Prod", **required) is None
    bare = client.instances.get("prod")
    assert (bare.description, bare.deployment_zone_slug) == ("", "eu"), "the description is cleared, the zone kept"
    assert not bare.metadata, "metadata is replaced whole"

    assert client.instances.update(
        "prod", name="Prod EU", **required, description="Moved", deployment_zone_id=us.id, metadata={"tier": "silver"},
        slug="prod-us",
    ) is None
    moved = client.instances.get("prod-us")
    assert (moved.name, moved.description, moved.deployment_zone_slug, moved.metadata) == (
        "Prod EU", "Moved", "us", {"tier": "silver"}
    )

    usage = client.instances.report_usage("prod-us", "seats", 3, behavior="set", metadata={"source": "nightly"})
    assert (usage.entitlement_slug, usage.value.value) == ("seats", 3)

    synced = client.integrations.upsert_instance(
        "crm.attio", "ws_2", name="Staging", slug="staging", description="Pre-production", customer_external_id="rec_acme",
        license_id=license.id, deployment_zone_id=eu.id, start_license_date=START, end_license_date=END,
        metadata={"tier": "bronze"}, web_url="https://attio.com/ws/2", error="none yet", integration_metadata={"plan": "pro"},
    )
    assert (synced.slug, synced.deployment_zone_id, synced.customer_external_id, synced.error) == (
        "staging", eu.id, "rec_acme", "none yet"
    )
    assert client.instances.get("staging").deployment_zone_slug == "eu"

    wait_for(lambda: client.instances.list_audit_trails("prod-us"), "the instance's audit trail", timeout=180)
    trail = client.instances.list_audit_trails("prod-us")
    assert trail and all(entry.instance_id == created.id for entry in trail)
    name = trail[-1].event_name
    after = datetime.now(timezone.utc) + timedelta(minutes=1)
    chosen = client.instances.list_audit_trails("prod-us", event_name=name, after=before, before=after, limit=1)
    assert len(chosen) == 1 and chosen[0].event_name == name
    assert client.instances.list_audit_trails("prod-us", event_name=name, after=after, before=after, limit=1) == []


def test_registering_a_connector_with_only_the_required_arguments(platform):
    import uuid

    name = f"kaiten.integration.test.{uuid.uuid4().hex[:8]}"
    registered = platform.connectors.register(name=name, version="1.0.0")
    assert (registered.name, registered.version, registered.entitlement_slug) == (name, "1.0.0", None)
    assert registered.settings_schema == {}
