"""Licenses, their grants and their families through the SDK's `client.licenses` and `client.license_families`.

A license with grants and a second version walked through its lifecycle, then every error a client can meet,
each with its SDK exception and code. The outbox rows the walk-through writes are validated against the
contract's webhook payloads. Entitlements are inserted by SQL: granting one needs nothing of the entitlements
API.
"""

from __future__ import annotations

import uuid

import pytest
from kaitencloud import UNLIMITED, BadRequestError, ConflictError, NotFoundError, UnprocessableEntityError

from openapi_contract import contract, contract_uri, pointer, validator


@pytest.fixture
def org_id(organization):
    return organization[0].id


@pytest.fixture
def entitlement(db, org_id):
    """`entitlement(slug, type)`: an entitlement of the test's organization, written straight to the table."""

    def create(slug: str, type_: str) -> None:
        aggregation = "SUM" if type_.startswith("NUMBER") else None
        db.execute(
            "INSERT INTO entitlement (organization_id, name, slug, type, aggregation_method) "
            "VALUES (%s, %s, %s, %s::entitlement_type, %s::aggregation_method)",
            (org_id, slug.title(), slug, type_, aggregation),
        )

    return create


@pytest.fixture
def raw(core_http, organization):
    """Raw HTTP with the organization's token, for bodies the SDK would never send."""
    return core_http(organization[1])


def check_webhook_payloads(events: list[dict]) -> None:
    webhooks = contract("core")["webhooks"]
    by_name = {}
    for event_type, item in webhooks.items():
        schema = item["post"]["requestBody"]["content"]["application/json"]["schema"]
        by_name[schema["properties"]["name"]["enum"][0]] = event_type
    for event in events:
        event_type = by_name[event["name"]]
        assert event["type"] == event_type
        schema = pointer("webhooks", event_type, "post", "requestBody", "content", "application/json", "schema")
        body = {"name": event["name"], "type": event["type"], "data": event["data"]}
        errors = list(validator(contract_uri("core"), schema).iter_errors(body))
        assert not errors, f"{event['name']}: {[e.message for e in errors]}\n{body}"


def test_a_license_with_grants_and_a_second_version_through_its_lifecycle(client, org_id, entitlement, outbox_events):
    for slug, type_ in [("seats", "NUMBER"), ("sso", "BOOLEAN"), ("theme", "CONFIG"), ("credits", "NUMBER_AI_CREDIT")]:
        entitlement(slug, type_)

    growth = client.licenses.create(name="Growth", type="PAID", slug="growth", description="For teams")
    assert (growth.slug, growth.version, growth.version_name) == ("growth", "1", "Version - 1")
    assert growth.lifecycle_state == "PUBLISHED"
    assert growth.is_default is False
    uuid.UUID(growth.family_id)
    assert client.licenses.get("growth").model_dump() == growth.model_dump()

    client.licenses.associate_entitlement("growth", "seats", 10)
    client.licenses.associate_entitlement("growth", "sso", True)
    client.licenses.associate_entitlement("growth", "theme", {"color": "teal"})
    client.licenses.associate_entitlement("growth", "credits", UNLIMITED)
    grants = {grant.entitlement_slug: grant for grant in client.licenses.list_entitlements("growth")}
    assert set(grants) == {"seats", "sso", "theme", "credits"}
    assert grants["seats"].value.value == 10 and grants["seats"].limit_cap_exceeded_overage_percent == 0
    assert grants["sso"].value.value is True and grants["sso"].limit_cap_exceeded_overage_percent is None
    assert grants["theme"].value.value == {"color": "teal"}
    assert grants["credits"].limit_cap_exceeded_overage_percent == -1
    assert grants["seats"].license_id == growth.id and grants["seats"].license_slug == "growth"

    client.licenses.update_entitlement("growth", "seats", 20, overage_percent=15)
    seats = client.licenses.get_entitlement("growth", "seats")
    assert (seats.value.value, seats.limit_cap_exceeded_overage_percent) == (20, 15)
    assert seats.entitlement_type == "NUMBER" and seats.entitlement_name == "Seats"
    client.licenses.delete_entitlement("growth", "theme")
    assert {grant.entitlement_slug for grant in client.licenses.list_entitlements("growth")} == {"seats", "sso", "credits"}

    v2 = client.licenses.create(name="Growth", type="PAID", family_slug="growth", lifecycle_state="DRAFT", version_name="Winter")
    assert (v2.slug, v2.version, v2.version_name, v2.lifecycle_state) == ("growth-v2", "2", "Winter", "DRAFT")
    assert v2.family_id == growth.family_id
    assert client.license_families.get("growth").current_version.slug == "growth"

    assert client.licenses.publish("growth-v2").lifecycle_state == "PUBLISHED"
    assert client.license_families.get("growth").current_version.slug == "growth-v2"

    client.licenses.update("growth", name="Growth Classic", type="PAID", is_default=True)
    family = client.license_families.get("growth")
    assert family.current_version.slug == "growth" and family.current_version.name == "Growth Classic"
    with pytest.raises(ConflictError) as caught:
        client.licenses.archive("growth")
    assert caught.value.code == "ArchiveLicense.DefaultMustBePublished"

    client.licenses.update("growth-v2", name="Growth", type="PAID", is_default=True, version_name="Winter")
    assert client.licenses.get("growth").is_default is False
    archived = client.licenses.archive("growth")
    assert archived.lifecycle_state == "ARCHIVED"
    assert client.license_families.get("growth").current_version.slug == "growth-v2"
    pinned = client.license_families.get("growth", version=1)
    assert pinned.current_version.slug == "growth" and pinned.current_version.lifecycle_state == "ARCHIVED"
    history = client.license_families.get("growth", include_versions=True)
    assert [version.slug for version in history.versions] == ["growth", "growth-v2"]
    assert history.version_count == 2
    assert client.licenses.unarchive("growth").lifecycle_state == "PUBLISHED"

    families = {family.slug: family for family in client.license_families.list()}
    assert families["growth"].version_count == 2 and families["growth"].current_version.slug == "growth-v2"
    assert [license.slug for license in client.licenses.list()] == ["growth-v2", "growth"]

    events = outbox_events(org_id)
    check_webhook_payloads(events)
    names = [event["name"] for event in events]
    assert names.count("LICENSE_FAMILY_CREATED") == 1
    assert names.count("LICENSE_CREATED") == 2
    assert names.count("LICENSE_ENTITLEMENT_ASSIGNED") == 4
    assert names.count("LICENSE_ENTITLEMENT_UPDATED") == 1
    assert names.count("LICENSE_ENTITLEMENT_UNASSIGNED") == 1
    for name in ("LICENSE_PUBLISHED", "LICENSE_ARCHIVED", "LICENSE_UNARCHIVED"):
        assert names.count(name) == 1
    # growth-v2's publish, growth taking the default, growth-v2 taking it back: the served version moved
    # each time. Archiving and unarchiving growth, which it did not serve, moved nothing.
    assert names.count("LICENSE_FAMILY_UPDATED") == 3
    # Two updates, plus growth losing the default to growth-v2.
    assert names.count("LICENSE_UPDATED") == 3


def test_version_numbers_are_never_reused_and_the_last_version_takes_the_family(client, org_id, outbox_events):
    client.licenses.create(name="Scale", type="TRIAL", slug="scale")
    family_id = client.licenses.get("scale").family_id
    assert client.licenses.create(name="Scale", type="TRIAL", family_id=family_id).slug == "scale-v2"
    client.licenses.delete("scale-v2")
    third = client.licenses.create(name="Scale", type="TRIAL", family_slug="scale", family_id=family_id)
    assert (third.slug, third.version) == ("scale-v3", "3")

    client.licenses.delete("scale-v3")
    client.licenses.delete("scale")
    with pytest.raises(NotFoundError) as caught:
        client.license_families.get("scale")
    assert caught.value.code == "GetLicenseFamily.NotFound"
    events = outbox_events(org_id)
    assert [event["name"] for event in events][-2:] in (["LICENSE_DELETED", "LICENSE_FAMILY_DELETED"], ["LICENSE_FAMILY_DELETED", "LICENSE_DELETED"])
    check_webhook_payloads(events)

    reopened = client.licenses.create(name="Scale", type="COMMUNITY", slug="scale")
    assert reopened.version == "1" and reopened.family_id != family_id


def test_license_errors(client, raw, assert_problem, entitlement):
    entitlement("seats", "NUMBER")
    entitlement("sso", "BOOLEAN")
    growth = client.licenses.create(name="Growth", type="PAID", slug="growth")
    client.licenses.create(name="Scale", type="PAID", slug="scale")
    client.licenses.create(name="Growth", type="PAID", family_slug="growth", lifecycle_state="DRAFT")

    def refused(exception, code, call):
        with pytest.raises(exception) as caught:
            call()
        assert caught.value.code == code, caught.value.body
        assert caught.value.error_id
        return caught.value

    refused(NotFoundError, "CreateLicense.FamilyNotFound", lambda: client.licenses.create(name="X", type="PAID", family_slug="nope"))
    refused(NotFoundError, "CreateLicense.FamilyNotFound", lambda: client.licenses.create(name="X", type="PAID", family_id=str(uuid.uuid4())))
    refused(
        UnprocessableEntityError,
        "CreateLicense.FamilyMismatch",
        lambda: client.licenses.create(name="X", type="PAID", family_id=growth.family_id, family_slug="scale"),
    )
    refused(ConflictError, "CreateLicense.DefaultMustBePublished", lambda: client.licenses.create(name="X", type="PAID", is_default=True, lifecycle_state="DRAFT"))
    refused(ConflictError, "CreateLicense.SlugConflict", lambda: client.licenses.create(name="X", type="PAID", slug="growth"))
    refused(BadRequestError, "CreateLicense.InvalidType", lambda: client.licenses.create(name="X", type="GOLD"))
    refused(UnprocessableEntityError, "CreateLicense.LifecycleStateNotSettable", lambda: client.licenses.create(name="X", type="PAID", lifecycle_state="ARCHIVED"))
    body = {"name": "X", "description": "", "type": "PAID", "isDefault": False}
    assert_problem(raw.post("licenses", json={**body, "version": "3"}), 422, "CreateLicense.VersionNotSettable")
    problem = assert_problem(raw.post("licenses", json={"name": "X"}), 422, "UNPROCESSABLE")
    assert [error["location"] for error in problem["errors"]] == ["body.description", "body.isDefault", "body.type"]

    refused(NotFoundError, "GetLicense.NotFound", lambda: client.licenses.get("nope"))
    refused(ConflictError, "PublishLicense.NotADraft", lambda: client.licenses.publish("growth"))
    refused(ConflictError, "ArchiveLicense.NotPublished", lambda: client.licenses.archive("growth-v2"))
    refused(ConflictError, "UnarchiveLicense.NotArchived", lambda: client.licenses.unarchive("growth"))
    refused(NotFoundError, "ArchiveLicense.NotFound", lambda: client.licenses.archive("nope"))

    refused(ConflictError, "UpdateLicense.DefaultMustBePublished", lambda: client.licenses.update("growth-v2", name="X", type="PAID", is_default=True))
    refused(NotFoundError, "UpdateLicense.NotFound", lambda: client.licenses.update("nope", name="X", type="PAID"))
    assert_problem(raw.put("licenses/growth", json={**body, "slug": "other"}), 422, "UpdateLicense.SlugNotRenameable")
    assert_problem(raw.put("licenses/growth", json={**body, "familySlug": "scale"}), 422, "UpdateLicense.FamilyNotReassignable")
    assert_problem(raw.put("licenses/growth", json={**body, "familyId": str(uuid.uuid4())}), 422, "UpdateLicense.FamilyNotReassignable")
    assert_problem(raw.put("licenses/growth", json={**body, "version": "2"}), 422, "UpdateLicense.VersionNotSettable")
    assert_problem(raw.put("licenses/growth", json={**body, "lifecycleState": "DRAFT"}), 422, "UpdateLicense.LifecycleStateNotSettable")
    echo = {**body, "slug": "growth", "version": "1", "lifecycleState": "PUBLISHED", "familyId": growth.family_id}
    assert raw.put("licenses/growth", json=echo).status_code == 204

    refused(BadRequestError, "AssociateEntitlementToLicense.InvalidValue", lambda: client.licenses.associate_entitlement("growth", "seats", True))
    refused(
        BadRequestError,
        "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent",
        lambda: client.licenses.associate_entitlement("growth", "sso", True, overage_percent=10),
    )
    refused(
        BadRequestError,
        "AssociateEntitlementToLicense.InvalidLimitCapExceededOveragePercent",
        lambda: client.licenses.associate_entitlement("growth", "seats", UNLIMITED, overage_percent=0),
    )
    refused(NotFoundError, "AssociateEntitlementToLicense.EntitlementNotFound", lambda: client.licenses.associate_entitlement("growth", "nope", True))
    refused(NotFoundError, "AssociateEntitlementToLicense.LicenseNotFound", lambda: client.licenses.associate_entitlement("nope", "sso", True))
    client.licenses.associate_entitlement("growth", "sso", True)
    refused(ConflictError, "AssociateEntitlementToLicense.AlreadyAssociated", lambda: client.licenses.associate_entitlement("growth", "sso", False))
    refused(BadRequestError, "UpdateLicenseEntitlement.InvalidValue", lambda: client.licenses.update_entitlement("growth", "sso", 3))
    refused(NotFoundError, "UpdateLicenseEntitlement.NotFound", lambda: client.licenses.update_entitlement("growth", "seats", 3))
    assert_problem(
        raw.put("licenses/growth/entitlements/sso", json={"entitlementSlug": "seats", "value": {"type": "boolean", "value": False}}),
        422,
        "UpdateLicenseEntitlement.EntitlementSlugMismatch",
    )
    refused(NotFoundError, "GetLicenseEntitlement.NotFound", lambda: client.licenses.get_entitlement("growth", "seats"))
    refused(NotFoundError, "DeleteLicenseEntitlement.LicenseEntitlementNotFound", lambda: client.licenses.delete_entitlement("growth", "seats"))
    refused(NotFoundError, "GetLicenseEntitlements.LicenseNotFound", lambda: client.licenses.list_entitlements("nope"))
    refused(ConflictError, "DeleteLicense.InUseConflict", lambda: client.licenses.delete("growth"))
    refused(NotFoundError, "DeleteLicense.NotFound", lambda: client.licenses.delete("nope"))

    client.licenses.create(name="Draft", type="PAID", slug="draft", lifecycle_state="DRAFT")
    refused(NotFoundError, "GetLicenseFamily.NoPublishedVersion", lambda: client.license_families.get("draft"))
    history = client.license_families.get("draft", include_versions=True)
    assert history.current_version is None and [version.slug for version in history.versions] == ["draft"]
    refused(NotFoundError, "GetLicenseFamily.VersionNotFound", lambda: client.license_families.get("draft", version=9))
    refused(NotFoundError, "GetLicenseFamily.NotFound", lambda: client.license_families.get("nope"))
    assert_problem(raw.get("license-families/draft", params={"version": "0"}), 422, "UNPROCESSABLE")
    draft = next(family for family in client.license_families.list() if family.slug == "draft")
    assert draft.current_version is None and draft.version_count == 1
