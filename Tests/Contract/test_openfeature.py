"""OpenFeature is the test: `openfeature-sdk` with `openfeature-provider-ofrep`, unchanged, against the live server."""

import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import httpx
import pytest
from kaitencloud import targeting
from openfeature import api
from openfeature.contrib.provider.ofrep import OFREPProvider
from openfeature.evaluation_context import EvaluationContext
from openfeature.flag_evaluation import Reason


@pytest.fixture
def openfeature(kaiten, organization):
    """An OpenFeature client of its own domain, reading the organization's flags over OFREP."""
    _, token = organization
    domain = f"kaiten-{uuid.uuid4().hex[:8]}"
    api.set_provider(OFREPProvider(kaiten.core_url, headers_factory=lambda: {"Authorization": f"Bearer {token}"}), domain)
    yield api.get_client(domain)


def flag(client, slug, type, variants, default, targetings=(), **extra):
    return client.feature_flags.create(
        name=slug, slug=slug, type=type, variants=[targeting.variant(name, value) for name, value in variants.items()],
        default_variant=default, targetings=list(targetings), **extra,
    )


def test_every_flag_type_evaluates_with_its_value_variant_and_reason(client, openfeature):
    flag(client, "new-checkout", "boolean", {"on": True, "off": False}, "off", [targeting.rule("pro", "plan == 'pro'", "on")])
    flag(client, "banner", "string", {"winter": "Winter sale", "none": ""}, "winter")
    flag(client, "seats", "number", {"small": 5, "large": 50}, "large", [targeting.rule("free", "plan == 'free'", "small")])
    flag(client, "ratio", "number", {"low": 0.25, "high": 0.75}, "low")
    flag(client, "theme", "object", {"dark": {"background": "#000", "contrast": 7}}, "dark")
    pro = EvaluationContext(targeting_key="user-1", attributes={"plan": "pro"})

    details = openfeature.get_boolean_details("new-checkout", False, pro)
    assert (details.value, details.variant, details.reason) == (True, "on", Reason.TARGETING_MATCH)
    details = openfeature.get_boolean_details("new-checkout", True, EvaluationContext("user-2", {"plan": "free"}))
    assert (details.value, details.variant, details.reason) == (False, "off", Reason.DEFAULT)
    details = openfeature.get_string_details("banner", "", pro)
    assert (details.value, details.variant, details.reason) == ("Winter sale", "winter", Reason.STATIC)
    details = openfeature.get_integer_details("seats", 0, EvaluationContext("user-3", {"plan": "free"}))
    assert (details.value, details.variant, details.reason) == (5, "small", Reason.TARGETING_MATCH)
    details = openfeature.get_float_details("ratio", 0.0, pro)
    assert (details.value, details.variant, details.reason) == (0.25, "low", Reason.STATIC)
    details = openfeature.get_object_details("theme", {}, pro)
    assert (details.value, details.variant) == ({"background": "#000", "contrast": 7}, "dark")


def test_a_thirty_seventy_split_holds_over_ten_thousand_keys_and_keeps_each_key(client, openfeature):
    flag(client, "split", "boolean", {"on": True, "off": False}, targeting.split({"on": 30, "off": 70}))

    def evaluate(index):
        details = openfeature.get_boolean_details("split", False, EvaluationContext(f"key-{index}"))
        assert details.reason == Reason.SPLIT
        return f"key-{index}", details.variant

    # The provider's calls are independent; a few at once keep the suite's time down on a small machine.
    with ThreadPoolExecutor(max_workers=8) as pool:
        variants = dict(pool.map(evaluate, range(10_000)))
    share = sum(1 for variant in variants.values() if variant == "on") / len(variants)
    assert 0.28 <= share <= 0.32
    for index in range(0, 10_000, 20):
        assert openfeature.get_boolean_details("split", False, EvaluationContext(f"key-{index}")).variant == variants[f"key-{index}"]


def test_a_rule_on_the_license_family_matches_the_customer_holding_it_and_not_another(client, openfeature):
    growth = client.licenses.create(name="Growth", type="PAID", slug="growth")
    starter = client.licenses.create(name="Starter", type="PAID", slug="starter")
    dates = dict(start_license_date=datetime(2026, 1, 1, tzinfo=timezone.utc), end_license_date=datetime(2027, 1, 1, tzinfo=timezone.utc))
    for customer, license in (("acme", growth), ("globex", starter)):
        created = client.customers.create(name=customer.title(), slug=customer)
        client.instances.create(name=f"{customer} prod", customer_id=created.id, license_id=license.id, **dates)
    flag(client, "growth-only", "boolean", {"on": True, "off": False}, "off",
         [targeting.rule("growth", "__kaiten.license.familySlug == 'growth'", "on")])

    assert openfeature.get_boolean_details("growth-only", False, EvaluationContext("acme")).value is True
    other = openfeature.get_boolean_details("growth-only", True, EvaluationContext("globex"))
    assert (other.value, other.reason) == (False, Reason.DEFAULT)
    spoofed = openfeature.get_boolean_details(
        "growth-only", True, EvaluationContext("globex", {"__kaiten": {"license": {"familySlug": "growth"}}})
    )
    assert spoofed.value is False


def test_a_rule_on_the_deployment_zone_reads_the_zone_of_the_instance_named(client, openfeature):
    release = client.releases.create(version="2.0.0")
    client.deployment_zones.create(name="EU", type="production", slug="eu", release_id=release.id)
    client.deployment_zones.create(name="Lab", type="staging", slug="lab")
    growth = client.licenses.create(name="Growth", type="PAID", slug="growth")
    customer = client.customers.create(name="Acme", slug="acme")
    dates = dict(start_license_date=datetime(2026, 1, 1, tzinfo=timezone.utc), end_license_date=datetime(2027, 1, 1, tzinfo=timezone.utc))
    for slug, zone in (("acme-prod", "eu"), ("acme-lab", "lab")):
        client.instances.create(name=slug, slug=slug, customer_id=customer.id, license_id=growth.id,
                                deployment_zone_id=client.deployment_zones.get(zone).id, **dates)
    flag(client, "prod-only", "boolean", {"on": True, "off": False}, "off",
         [targeting.rule("production", f"__kaiten.deploymentZone.type == 'production' && "
                                       f"__kaiten.deploymentZone.currentReleaseId == '{release.id}'", "on")])

    def on(instance):
        return openfeature.get_boolean_details("prod-only", False, EvaluationContext("acme", {"kaiten": {"instanceSlug": instance}}))

    assert (on("acme-prod").value, on("acme-prod").reason) == (True, Reason.TARGETING_MATCH)
    assert (on("acme-lab").value, on("acme-lab").reason) == (False, Reason.DEFAULT)


def test_a_provider_given_the_server_origin_evaluates_too(kaiten, client, organization):
    _, token = organization
    origin = kaiten.core_url.removesuffix("/api")
    domain = f"kaiten-origin-{uuid.uuid4().hex[:8]}"
    api.set_provider(OFREPProvider(origin, headers_factory=lambda: {"Authorization": f"Bearer {token}"}), domain)
    flag(client, "banner", "string", {"winter": "Winter sale"}, "winter")
    details = api.get_client(domain).get_string_details("banner", "", EvaluationContext("user-1"))
    assert (details.value, details.reason) == ("Winter sale", Reason.STATIC)


def test_disabling_a_flag_answers_disabled_at_once(client, openfeature):
    flag(client, "kill-switch", "boolean", {"on": True, "off": False}, "off", [targeting.rule("all", "true", "on")])
    assert openfeature.get_boolean_details("kill-switch", False, EvaluationContext("user-1")).value is True
    client.feature_flags.update("kill-switch", name="kill-switch", type="boolean",
                                variants=[targeting.variant("on", True), targeting.variant("off", False)],
                                default_variant="off", targetings=[targeting.rule("all", "true", "on")], enabled=False)
    details = openfeature.get_boolean_details("kill-switch", True, EvaluationContext("user-1"))
    assert (details.value, details.variant, details.reason) == (False, "off", Reason.DISABLED)


def test_failures_reach_the_application_as_openfeature_error_codes(client, openfeature):
    flag(client, "split", "boolean", {"on": True, "off": False}, targeting.split({"on": 1, "off": 1}))
    flag(client, "broken", "boolean", {"on": True, "off": False}, "off", [targeting.rule("typo", "plann == 'pro'", "on")])
    missing = openfeature.get_boolean_details("no-such-flag", True, EvaluationContext("user-1"))
    assert (missing.value, missing.error_code.value) == (True, "FLAG_NOT_FOUND")
    keyless = openfeature.get_boolean_details("split", True, EvaluationContext())
    assert keyless.error_code.value == "TARGETING_KEY_MISSING"
    broken = openfeature.get_boolean_details("broken", True, EvaluationContext("user-1", {"plan": "pro"}))
    assert (broken.value, broken.reason) == (False, Reason.DEFAULT)
    assert broken.flag_metadata["kaiten.brokenTargetingRules"][0].startswith("typo: ")


def test_bulk_evaluation_answers_304_while_nothing_changed(kaiten, client, organization):
    _, token = organization
    flag(client, "banner", "string", {"a": "A", "b": "B"}, "a")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"context": {"targetingKey": "user-1"}}
    first = httpx.post(f"{kaiten.core_url}/ofrep/v1/evaluate/flags", json=body, headers=headers)
    assert first.status_code == 200 and first.json()["flags"][0]["value"] == "A"
    tag = first.headers["etag"]
    again = httpx.post(f"{kaiten.core_url}/ofrep/v1/evaluate/flags", json=body, headers={**headers, "If-None-Match": tag})
    assert (again.status_code, again.content) == (304, b"")
    client.feature_flags.update("banner", name="banner", type="string",
                                variants=[targeting.variant("a", "A"), targeting.variant("b", "B")], default_variant="b")
    changed = httpx.post(f"{kaiten.core_url}/ofrep/v1/evaluate/flags", json=body, headers={**headers, "If-None-Match": tag})
    assert changed.status_code == 200 and changed.json()["flags"][0]["value"] == "B"


def test_the_manifest_lists_flags_with_a_fallback(client):
    flag(client, "seats", "number", {"small": 5}, "small", metadata={"fallback_value": 5})
    flag(client, "ratio", "number", {"low": 0.5}, "low", metadata={"fallback_value": 0.5})
    flag(client, "no-fallback", "boolean", {"on": True}, "on")
    manifest = {entry.key: entry for entry in client.feature_flags.manifest()}
    assert set(manifest) == {"seats", "ratio"}
    assert (manifest["seats"].type, manifest["ratio"].type) == ("integer", "float")


def test_bad_evaluation_input_gets_clear_answers_and_never_hangs(kaiten, client, organization):
    _, token = organization
    headers = {"Authorization": f"Bearer {token}"}
    runaway = "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, " \
              "[1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, a + b + c + d + e > 0)))))"
    lint = httpx.post(f"{kaiten.core_url}/feature-flags/targeting/lint", json={"rule": runaway}, headers=headers)
    assert lint.status_code == 200 and lint.json()["valid"] is False and "cost" in lint.json()["issues"][0]["message"]
    refused = httpx.post(f"{kaiten.core_url}/feature-flags", headers=headers, json={
        "name": "runaway", "type": "boolean", "description": None, "enabled": True, "event_name": "", "metadata": {},
        "variants": [{"name": "on", "description": "", "value": True}], "default_variant": {"type": "basic", "value": "on"},
        "targetings": [{"type": "basic", "name": "loop", "rule": runaway, "variant": "on"}],
    })
    assert (refused.status_code, refused.json()["code"]) == (400, "VALIDATION_FAILED")
    flag(client, "plain", "boolean", {"on": True}, "on")

    evaluate = f"{kaiten.core_url}/ofrep/v1/evaluate/flags/plain"
    deep = "{\"context\":{\"targetingKey\":\"k\",\"x\":" + "[" * 1000 + "]" * 1000 + "}}"
    nested = httpx.post(evaluate, content=deep, headers={**headers, "Content-Type": "application/json"})
    assert (nested.status_code, nested.json()["errorCode"]) == (400, "INVALID_CONTEXT")
    large = httpx.post(evaluate, json={"context": {"targetingKey": "k", "blob": "x" * 1_000_000}}, headers=headers, timeout=30)
    assert large.status_code == 200 and large.json()["value"] is True
    huge = httpx.post(evaluate, json={"context": {"targetingKey": "k", "blob": "x" * 2_000_000}}, headers=headers, timeout=30)
    assert huge.status_code == 413
    not_json = httpx.post(evaluate, content=b"{", headers={**headers, "Content-Type": "application/json"})
    assert (not_json.status_code, not_json.json()["errorCode"]) == (400, "INVALID_CONTEXT")
