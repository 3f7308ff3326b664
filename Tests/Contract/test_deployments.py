"""Components, releases and deployment zones through the SDK's `client.components`, `client.releases` and
`client.deployment_zones`: every method with all its arguments and with only the required ones, the
versioning of held components, the deployment log behind a zone's release, strict zone metadata, and the
refusals a client meets."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import BadRequestError, ConflictError, NotFoundError, UnprocessableEntityError

AUTO_SLUG = re.compile(r"^(?P<base>[a-z0-9-]+)-(?P<hex>[0-9a-f]{6})$")
SYSTEM_USER = "00000000-0000-0000-0000-000000000001"


def names(outbox_events, organization_id: str, prefix: tuple[str, ...] = ("COMPONENT_", "RELEASE_", "DEPLOYMENT_ZONE_")) -> list[str]:
    return [event["name"] for event in outbox_events(organization_id) if event["name"].startswith(prefix)]


def test_components_with_every_argument_and_with_the_required_ones(client):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    bare = client.components.create(name="API Gateway", version="v1.2.3")
    assert AUTO_SLUG.match(bare.slug)["base"] == "api-gateway-v1-2-3"
    assert bare.description is None and bare.previous_component_id is None
    assert bare.created_by.id == SYSTEM_USER
    assert before <= bare.created_at <= datetime.now(timezone.utc) + timedelta(seconds=5)

    full = client.components.create(
        name="API Gateway", version="v2.0.0", description="The edge", previous_component_id=bare.id, slug="gateway-2"
    )
    assert (full.slug, full.description, full.previous_component_id) == ("gateway-2", "The edge", bare.id)
    assert client.components.get("gateway-2").model_dump() == full.model_dump()
    assert [c.id for c in client.components.list()] == [full.id, bare.id]

    renamed = client.components.update("gateway-2", name="Gateway", version="v2.0.1", description="Renamed")
    assert (renamed.id, renamed.slug, renamed.name, renamed.description) == (full.id, "gateway-2", "Gateway", "Renamed")
    # As in Kaiten, a description left out of an in-place update is kept.
    kept = client.components.update("gateway-2", name="Gateway", version="v2.0.2")
    assert kept.id == full.id and kept.description == "Renamed"
    assert client.components.get("gateway-2").model_dump() == kept.model_dump()

    client.components.delete("gateway-2")
    with pytest.raises(NotFoundError) as caught:
        client.components.get("gateway-2")
    assert caught.value.code == "Component.NotFound"
    assert [c.id for c in client.components.list()] == [bare.id]


def test_changing_a_component_a_release_holds_writes_a_new_version(client, organization, outbox_events):
    org, _ = organization
    held = client.components.create(name="api", version="1.0", slug="api-1-0", description="first")
    release = client.releases.create(version="2026.1", component_ids=[held.id])

    with pytest.raises(BadRequestError) as caught:
        client.components.update("api-1-0", name="api", version="1.0", description="edited")
    assert caught.value.code == "UpdateComponent.LinkedComponentRequiresNewVersion"
    assert client.components.get("api-1-0").description == "first"

    successor = client.components.update("api-1-0", name="api", version="1.1")
    assert successor.id != held.id
    assert successor.previous_component_id == held.id
    assert AUTO_SLUG.match(successor.slug)["base"] == "api-1-1"
    assert successor.description == "first"
    # The held version and the release that holds it read as before.
    assert client.components.get("api-1-0").model_dump() == held.model_dump()
    assert [c.id for c in client.releases.get(release.slug).components] == [held.id]
    assert {c.id for c in client.components.list()} == {held.id, successor.id}

    with pytest.raises(ConflictError) as caught:
        client.components.delete("api-1-0")
    assert caught.value.code == "DeleteComponent.LinkedComponentConflict"
    assert names(outbox_events, org.id) == ["COMPONENT_CREATED", "RELEASE_CREATED", "COMPONENT_UPDATED"]
    updated = [e for e in outbox_events(org.id) if e["name"] == "COMPONENT_UPDATED"][0]
    assert updated["data"]["id"] == successor.id and updated["data"]["previousComponentId"] == held.id


def test_releases_with_every_argument_and_with_the_required_ones(client):
    one = client.components.create(name="api", version="1")
    two = client.components.create(name="web", version="1")
    bare = client.releases.create(version="v1.0.0")
    assert AUTO_SLUG.match(bare.slug)["base"] == "v1-0-0"
    assert bare.components is None and bare.description is None

    full = client.releases.create(version="v1.1.0", description="Changelog", component_ids=[one.id, two.id, one.id], slug="v1-1")
    assert (full.slug, full.description) == ("v1-1", "Changelog")
    assert sorted(c.id for c in full.components) == sorted([one.id, two.id])
    fetched = client.releases.get("v1-1")
    assert fetched.model_dump() == full.model_dump()
    assert fetched.component_ids is None, "componentIds is write-only"
    assert [r.id for r in client.releases.list()] == [full.id, bare.id]

    with pytest.raises(ConflictError) as caught:
        client.releases.create(version="v1.0.0")
    assert caught.value.code == "CreateRelease.VersionConflict"
    with pytest.raises(NotFoundError) as caught:
        client.releases.create(version="v9", component_ids=[str(uuid.uuid4())])
    assert caught.value.code == "Component.NotFound"
    assert len(client.releases.list()) == 2

    client.releases.delete("v1-1")
    with pytest.raises(NotFoundError) as caught:
        client.releases.get("v1-1")
    assert caught.value.code == "Release.NotFound"
    # The components it held are let go, not deleted.
    client.components.delete(two.slug)


def test_deployment_zones_with_every_argument_and_with_the_required_ones(client):
    release = client.releases.create(version="r1")
    bare = client.deployment_zones.create(name="EU West", type="production")
    assert AUTO_SLUG.match(bare.slug)["base"] == "eu-west"
    assert (bare.description, bare.metadata, bare.release_id) == ("", {}, None)
    assert bare.updated_at == bare.created_at

    full = client.deployment_zones.create(
        name="US East", type="staging", description="Second", metadata={"region": "us-east-1"}, release_id=release.id, slug="us-east"
    )
    assert (full.slug, full.type, full.description, full.metadata, full.release_id) == (
        "us-east", "staging", "Second", {"region": "us-east-1"}, release.id
    )
    assert client.deployment_zones.get("us-east").model_dump() == full.model_dump()
    assert [z.id for z in client.deployment_zones.list()] == [full.id, bare.id]

    assert client.deployment_zones.update(bare.slug, name="EU", type="development") is None
    replaced = client.deployment_zones.get(bare.slug)
    assert (replaced.name, replaced.type, replaced.description, replaced.release_id) == ("EU", "development", "", None)
    assert replaced.updated_at >= bare.updated_at

    client.deployment_zones.update("us-east", name="US", type="staging", description="d", metadata={"region": "us-east-2"}, release_id=release.id)
    # A full replacement: what is left out goes, except the release, which only a new one replaces.
    client.deployment_zones.update("us-east", name="US", type="staging")
    kept = client.deployment_zones.get("us-east")
    assert (kept.description, kept.metadata, kept.release_id) == ("", {}, release.id)

    client.deployment_zones.delete("us-east")
    with pytest.raises(NotFoundError) as caught:
        client.deployment_zones.get("us-east")
    assert caught.value.code == "DeploymentZone.NotFound"
    assert [z.id for z in client.deployment_zones.list()] == [bare.id]


def test_every_release_change_records_a_deployment_rollbacks_included(client, organization, outbox_events):
    org, _ = organization
    first = client.releases.create(version="1.0")
    second = client.releases.create(version="2.0")
    zone = client.deployment_zones.create(name="Prod", type="production", release_id=first.id, slug="prod")

    client.deployment_zones.update("prod", name="Prod", type="production", release_id=second.id)
    client.deployment_zones.update("prod", name="Prod", type="production", release_id=second.id)  # echoed: nothing
    client.deployment_zones.update("prod", name="Prod", type="production", release_id=first.id)  # rollback
    assert client.deployment_zones.get("prod").release_id == first.id

    deployments = [e["data"] for e in outbox_events(org.id) if e["name"] == "RELEASE_DEPLOYED"]
    assert [d["releaseId"] for d in deployments] == [first.id, second.id, first.id]
    assert {d["deploymentZoneId"] for d in deployments} == {zone.id}
    assert all(d["createdBy"]["id"] == SYSTEM_USER for d in deployments)
    assert len({d["id"] for d in deployments}) == 3
    assert names(outbox_events, org.id, ("DEPLOYMENT_ZONE_",)) == ["DEPLOYMENT_ZONE_CREATED"] + ["DEPLOYMENT_ZONE_UPDATED"] * 3
    last_update = [e for e in outbox_events(org.id) if e["name"] == "DEPLOYMENT_ZONE_UPDATED"][-1]
    assert last_update["data"]["releaseId"] == first.id

    with pytest.raises(NotFoundError) as caught:
        client.deployment_zones.update("prod", name="Prod", type="production", release_id=str(uuid.uuid4()))
    assert caught.value.code == "CreateDeployment.ReleaseNotFound"
    assert client.deployment_zones.get("prod").release_id == first.id


def test_a_deployed_release_cannot_be_deleted(client, organization, outbox_events):
    org, _ = organization
    release = client.releases.create(version="1.0", slug="one")
    client.deployment_zones.create(name="Prod", type="production", release_id=release.id, slug="prod")
    count = len(outbox_events(org.id))

    with pytest.raises(ConflictError) as caught:
        client.releases.delete("one")
    assert caught.value.code == "DeleteRelease.InUseConflict"
    assert caught.value.error_id
    assert client.releases.get("one").id == release.id
    assert len(outbox_events(org.id)) == count, "a refused delete writes nothing"

    # With the zone goes its deployment log, and the release is free to go.
    client.deployment_zones.delete("prod")
    client.releases.delete("one")
    assert names(outbox_events, org.id)[-2:] == ["DEPLOYMENT_ZONE_DELETED", "RELEASE_DELETED"]


def test_instances_show_the_zone_they_run_in(client, organization, db):
    org, _ = organization
    zone = client.deployment_zones.create(name="EU", type="production", slug="eu")
    customer = client.customers.create(name="Acme")
    family_id, license_id = str(uuid.uuid4()), str(uuid.uuid4())
    db.execute("INSERT INTO license_family (id, organization_id, slug) VALUES (%s, %s, 'growth')", (family_id, org.id))
    db.execute(
        "INSERT INTO license (id, organization_id, family_id, name, slug, type, version, version_name, lifecycle_state) "
        "VALUES (%s, %s, %s, 'Growth', 'growth', 'PAID', 1, 'Version - 1', 'PUBLISHED')",
        (license_id, org.id, family_id),
    )
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    instance = client.instances.create(
        name="Prod", slug="prod", customer_id=customer.id, license_id=license_id, deployment_zone_id=zone.id,
        start_license_date=start, end_license_date=start + timedelta(days=365),
    )
    assert (instance.deployment_zone_id, instance.deployment_zone_slug) == (zone.id, "eu")

    client.deployment_zones.delete("eu")
    moved = client.instances.get("prod")
    assert moved.deployment_zone_id is None and moved.deployment_zone_slug is None


def test_zone_metadata_is_validated_strictly(client, organization, outbox_events):
    org, _ = organization
    client.metadata_fields.create(
        resource_type="DEPLOYMENT_ZONE", key="region", label="Region", json_schema={"type": "string", "enum": ["eu", "us"]}
    )
    count = len(outbox_events(org.id))
    with pytest.raises(UnprocessableEntityError) as caught:
        client.deployment_zones.create(name="Z", type="production", metadata={"region": "mars"})
    assert caught.value.code == "MetadataValidation.Failed"
    assert [e.location for e in caught.value.errors] == ["body.metadata.region"]
    with pytest.raises(UnprocessableEntityError) as caught:
        client.deployment_zones.create(name="Z", type="production", metadata={"region": "eu", "owner": "ops"})
    assert [e.location for e in caught.value.errors] == ["body.metadata.owner"], "a key no field declares is refused"
    assert client.deployment_zones.list() == []
    assert len(outbox_events(org.id)) == count

    zone = client.deployment_zones.create(name="Z", type="production", metadata={"region": "eu"}, slug="zone")
    assert zone.metadata == {"region": "eu"}
    with pytest.raises(UnprocessableEntityError):
        client.deployment_zones.update("zone", name="Z", type="production", metadata={"region": "antarctica"})
    assert client.deployment_zones.get("zone").metadata == {"region": "eu"}


def test_bad_input_is_refused_with_its_code(client, organization, core_http, assert_problem):
    http = core_http(organization[1])
    client.components.create(name="api", version="1", slug="api")
    client.deployment_zones.create(name="Z", type="production", slug="zone")

    with pytest.raises(ConflictError) as caught:
        client.components.create(name="api", version="1")
    assert caught.value.code == "Component.NameVersionConflict"
    with pytest.raises(ConflictError) as caught:
        client.components.create(name="api", version="2", slug="api")
    assert caught.value.code == "Component.SlugConflict"
    with pytest.raises(NotFoundError) as caught:
        client.components.create(name="api", version="3", previous_component_id=str(uuid.uuid4()))
    assert caught.value.code == "Component.NotFound"
    with pytest.raises(UnprocessableEntityError) as caught:
        client.components.create(name="", version="1", slug="Not A Slug")
    assert sorted(e.location for e in caught.value.errors) == ["body.name", "body.slug"]

    assert_problem(http.put("components/api", json={"name": "api", "version": "2", "previousComponentId": str(uuid.uuid4())}),
                   422, "UpdateComponent.PreviousComponentNotSettable")
    assert_problem(http.put("deployment-zones/zone", json={"name": "Z", "type": "production", "description": "", "slug": "other"}),
                   422, "UpdateDeploymentZone.SlugNotRenameable")
    assert_problem(http.post("deployment-zones", json={"name": "Z", "type": "production", "description": "", "releaseId": "nope"}),
                   422, "UNPROCESSABLE")
    assert_problem(http.post("deployment-zones", json={"name": "Z2", "type": "production", "description": "", "releaseId": str(uuid.uuid4())}),
                   404, "CreateDeployment.ReleaseNotFound")
    assert_problem(http.post("deployment-zones", json={"name": "Z", "type": "production", "description": "", "slug": "zone"}),
                   409, "CreateDeploymentZone.SlugConflict")
    assert_problem(http.post("releases", json={"version": "1", "components": []}), 422, "UNPROCESSABLE")
    assert_problem(http.put("releases/anything", json={"version": "1"}), 405)
    assert [z.slug for z in client.deployment_zones.list()] == ["zone"]


def test_another_organization_sees_nothing(client, platform, core_client):
    component = client.components.create(name="api", version="1", slug="api")
    client.releases.create(version="1", slug="one", component_ids=[component.id])
    client.deployment_zones.create(name="Z", type="production", slug="zone")

    other_org = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}")
    other = core_client(platform.tokens.mint(other_org.id, name="other").token)
    assert other.components.list() == [] and other.releases.list() == [] and other.deployment_zones.list() == []
    for read in (lambda: other.components.get("api"), lambda: other.releases.get("one"), lambda: other.deployment_zones.get("zone")):
        with pytest.raises(NotFoundError):
            read()
    # Another organization's ids name nothing here.
    with pytest.raises(NotFoundError) as caught:
        other.releases.create(version="1", component_ids=[component.id])
    assert caught.value.code == "Component.NotFound"
