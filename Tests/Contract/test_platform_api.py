"""The Platform API, driven through the SDK's KaitenPlatformClient (raw HTTP only where the SDK has no method
or refuses to send what is being tested)."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    KaitenPlatformClient,
    NotFoundError,
    PermissionDeniedError,
)


def external_id() -> str:
    return f"org_{uuid.uuid4().hex[:12]}"


def test_me_describes_the_development_credential(platform):
    me = platform.me()
    assert me.credential_kind == "platform"
    assert me.subject == "system:kaiten"
    assert me.scopes == ["write:*"]
    assert me.expires_at is None
    uuid.UUID(me.id)
    assert me.name and me.slug
    assert me.created_at <= datetime.now(timezone.utc) + timedelta(seconds=5)


def test_ensure_organization_is_idempotent_and_derives_its_id(platform, kaiten_ids):
    external = external_id()
    first = platform.organizations.ensure(external_id=external, name="Acme Holdings")
    second = platform.organizations.ensure(external_id=external, name="Another Name")

    # §7.3: id = UUIDv5(UUIDv5(root, "organization"), externalId), computed independently here.
    root = uuid.UUID("eb025416-6f74-4684-97e9-83e99784aaa5")
    expected = uuid.uuid5(uuid.uuid5(root, "organization"), external)
    assert first.id == str(expected) == kaiten_ids.organization(external)
    assert second.id == first.id
    assert first.external_id == second.external_id == external
    # The name is applied only when the organization is created: ensure never renames.
    assert first.name == "Acme Holdings"
    assert second.name == "Acme Holdings"
    assert platform.organizations.get(first.id).name == "Acme Holdings"


def test_ensure_without_a_name_names_the_organization_after_its_external_id(platform):
    external = external_id()
    org = platform.organizations.ensure(external_id=external)
    assert org.name == external


def test_get_organization(platform):
    external = external_id()
    created = platform.organizations.ensure(external_id=external, name="Get Me")
    fetched = platform.organizations.get(created.id)
    assert (fetched.id, fetched.external_id, fetched.name) == (created.id, external, "Get Me")


def test_get_unknown_organization_is_not_found(platform):
    with pytest.raises(NotFoundError) as caught:
        platform.organizations.get(str(uuid.uuid4()))
    assert caught.value.code == "GetOrganization.NotFound"
    assert caught.value.error_id


def test_mint_with_a_scope_subset_and_ttl_works_on_the_core_api(platform, kaiten, core_client):
    org = platform.organizations.ensure(external_id=external_id())
    before = datetime.now(timezone.utc)
    minted = platform.tokens.mint(org.id, name="reader", scopes=["read:customers"], ttl="15m")

    assert minted.token and minted.token.startswith("ksh_") and len(minted.token) == 36
    assert minted.name == "reader"
    assert minted.scopes == ["read:customers"]
    assert minted.slug and minted.slug.startswith("system-kaiten-")
    assert minted.expires_at is not None
    assert before + timedelta(minutes=14) <= minted.expires_at <= before + timedelta(minutes=16)

    core = core_client(minted.token)
    assert core.customers.list() == []
    with pytest.raises(PermissionDeniedError) as caught:
        core.customers.create(name="Not allowed")
    assert caught.value.code == "Auth.MissingScope"


def test_mint_accepts_a_timedelta_ttl(platform):
    org = platform.organizations.ensure(external_id=external_id())
    before = datetime.now(timezone.utc)
    minted = platform.tokens.mint(org.id, name="short", scopes=["read:customers"], ttl=timedelta(hours=2))
    assert minted.expires_at is not None
    assert before + timedelta(minutes=119) <= minted.expires_at <= before + timedelta(minutes=121)


def test_a_minted_token_stops_working_when_its_ttl_runs_out(platform, core_client):
    org = platform.organizations.ensure(external_id=external_id())
    minted = platform.tokens.mint(org.id, name="blink", scopes=["read:customers"], ttl="1s")
    core = core_client(minted.token)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            core.customers.list()
        except AuthenticationError as error:
            assert error.code == "Auth.InvalidToken"
            break
        time.sleep(0.2)
    else:
        pytest.fail("a token minted with ttl=1s still worked 5 seconds later")
    assert datetime.now(timezone.utc) >= minted.expires_at


def test_mint_without_scopes_inherits_the_credentials(platform):
    org = platform.organizations.ensure(external_id=external_id())
    minted = platform.tokens.mint(org.id, name="everything")
    assert minted.scopes == ["write:*"]
    assert minted.expires_at is None


def test_mint_with_an_invalid_ttl_is_a_bad_request(platform):
    org = platform.organizations.ensure(external_id=external_id())
    with pytest.raises(BadRequestError) as caught:
        platform.tokens.mint(org.id, name="bad-ttl", ttl="forever")
    assert caught.value.code == "MintOrganizationToken.InvalidTTL"


def test_mint_with_a_taken_name_is_a_conflict(platform):
    org = platform.organizations.ensure(external_id=external_id())
    platform.tokens.mint(org.id, name="ci-deploy", scopes=["read:customers"])
    with pytest.raises(ConflictError) as caught:
        platform.tokens.mint(org.id, name="ci-deploy", scopes=["read:customers"])
    assert caught.value.code and caught.value.code.startswith("MintOrganizationToken.")
    assert caught.value.error_id


def test_mint_in_an_unknown_organization_is_not_found(platform):
    with pytest.raises(NotFoundError):
        platform.tokens.mint(str(uuid.uuid4()), name="nowhere", scopes=["read:customers"])


def test_list_shows_the_active_tokens_this_credential_minted_without_secrets(
    platform, kaiten, issue_platform_credential, platform_http
):
    org = platform.organizations.ensure(external_id=external_id())
    a = platform.tokens.mint(org.id, name="a", scopes=["read:customers"])
    b = platform.tokens.mint(org.id, name="b", scopes=["write:customers"], ttl="1h")
    with KaitenPlatformClient(
        base_url=kaiten.platform_url, token=issue_platform_credential("write:tokens", "read:customers"), max_retries=0
    ) as other:
        theirs = other.tokens.mint(org.id, name="theirs", scopes=["read:customers"])
        assert [t.slug for t in other.tokens.list(org.id)] == [theirs.slug]

    listed = platform.tokens.list(org.id)
    by_slug = {t.slug: t for t in listed}
    assert set(by_slug) == {a.slug, b.slug}
    assert by_slug[a.slug].name == "a" and by_slug[a.slug].scopes == ["read:customers"]
    assert by_slug[b.slug].name == "b" and by_slug[b.slug].expires_at is not None

    raw = platform_http(kaiten.platform_token).get(f"platform/organizations/{org.id}/tokens")
    assert raw.status_code == 200
    assert all("token" not in item for item in raw.json())
    assert a.token not in raw.text and b.token not in raw.text


def test_revoked_minted_token_stops_working_immediately(platform, core_client):
    org = platform.organizations.ensure(external_id=external_id())
    minted = platform.tokens.mint(org.id, name="short-lived", scopes=["write:customers"])
    core = core_client(minted.token)
    core.customers.create(name="Before revocation")

    platform.tokens.revoke(org.id, minted.slug)

    with pytest.raises(AuthenticationError) as caught:
        core.customers.list()
    assert caught.value.code == "Auth.InvalidToken"
    assert minted.slug not in [t.slug for t in platform.tokens.list(org.id)]


def test_revoking_an_unknown_token_is_not_found(platform):
    org = platform.organizations.ensure(external_id=external_id())
    with pytest.raises(NotFoundError):
        platform.tokens.revoke(org.id, "system-kaiten-000000")


def test_scope_escalation_is_refused(platform, kaiten, issue_platform_credential):
    org = platform.organizations.ensure(external_id=external_id())
    narrow = issue_platform_credential("write:tokens", "read:customers")
    with KaitenPlatformClient(base_url=kaiten.platform_url, token=narrow, max_retries=0) as client:
        me = client.me()
        assert sorted(me.scopes or []) == ["read:customers", "write:tokens"]
        with pytest.raises(PermissionDeniedError) as caught:
            client.tokens.mint(org.id, name="escalation", scopes=["write:customers"])
        assert caught.value.code == "MintOrganizationToken.ScopesExceedCredential"
        assert caught.value.error_id
        assert [t.name for t in client.tokens.list(org.id)] == []

        within = client.tokens.mint(org.id, name="within", scopes=["read:customers"])
        assert within.scopes == ["read:customers"]


def test_a_narrow_credential_cannot_delete_organizations(platform, kaiten, issue_platform_credential):
    org = platform.organizations.ensure(external_id=external_id())
    narrow = issue_platform_credential("write:organizations")
    with KaitenPlatformClient(base_url=kaiten.platform_url, token=narrow, max_retries=0) as client:
        with pytest.raises(PermissionDeniedError) as caught:
            client.organizations.delete(org.id)
        assert caught.value.code == "Auth.MissingScope"
    assert platform.organizations.get(org.id).id == org.id


def test_delete_membership_removes_a_jwt_user_from_the_organization(platform, core_client, sign_jwt, kaiten_ids):
    external = external_id()
    sub = f"user_{uuid.uuid4().hex[:10]}"
    token = sign_jwt(
        {
            "sub": sub,
            "kaiten_external_org_id": external,
            "scopes": ["write:*"],
            "email": f"{sub}@example.com",
            "name": "Member",
            "kaiten_org_name": "Membership Org",
        }
    )
    user = core_client(token)
    assert user.customers.list() == []  # provisions org, user and membership just in time

    org_id = kaiten_ids.organization(external)
    platform.organizations.delete_membership(org_id, kaiten_ids.user(sub))

    with pytest.raises(PermissionDeniedError) as caught:
        user.customers.list()
    assert caught.value.code == "Auth.MembershipDeleted"
    with pytest.raises(NotFoundError):
        platform.organizations.delete_membership(org_id, kaiten_ids.user(sub))


def test_the_system_membership_and_user_cannot_be_deleted(platform):
    org = platform.organizations.ensure(external_id=external_id())
    system = "00000000-0000-0000-0000-000000000001"
    with pytest.raises(PermissionDeniedError):
        platform.organizations.delete_membership(org.id, system)
    with pytest.raises(PermissionDeniedError):
        platform.users.delete(system)


def test_delete_user_refuses_it_everywhere(platform, core_client, sign_jwt, kaiten_ids):
    sub = f"user_{uuid.uuid4().hex[:10]}"
    claims = {"sub": sub, "scopes": ["write:*"], "email": f"{sub}@example.com", "name": "Leaving", "kaiten_org_name": "X"}
    first = core_client(sign_jwt({**claims, "kaiten_external_org_id": external_id()}))
    assert first.customers.list() == []

    platform.users.delete(kaiten_ids.user(sub))

    with pytest.raises(PermissionDeniedError) as caught:
        first.customers.list()
    assert caught.value.code == "Auth.UserDeleted"
    # Signing in again, even into another organization, does not bring the user back.
    other = core_client(sign_jwt({**claims, "kaiten_external_org_id": external_id()}))
    with pytest.raises(PermissionDeniedError) as caught:
        other.customers.list()
    assert caught.value.code == "Auth.UserDeleted"
    with pytest.raises(NotFoundError):
        platform.users.delete(kaiten_ids.user(sub))


def test_delete_organization_removes_it_and_its_tokens(platform, core_client):
    org = platform.organizations.ensure(external_id=external_id(), name="Doomed")
    minted = platform.tokens.mint(org.id, name="doomed", scopes=["write:customers"])
    core = core_client(minted.token)
    core.customers.create(name="Goes with the org")

    platform.organizations.delete(org.id)

    with pytest.raises(NotFoundError) as caught:
        platform.organizations.get(org.id)
    assert caught.value.code == "GetOrganization.NotFound"
    with pytest.raises(AuthenticationError):
        core.customers.list()
    with pytest.raises(NotFoundError):
        platform.organizations.delete(org.id)


def test_register_connector_is_an_upsert(platform, platform_http, kaiten):
    name = f"kaiten.integration.crm.test{uuid.uuid4().hex[:6]}"
    schema = {"type": "object", "properties": {"apiKey": {"type": "string", "writeOnly": True}}}
    first = platform.connectors.register(name=name, version="1.0.0", settings_schema=schema)
    assert first.name == name and first.version == "1.0.0" and first.settings_schema == schema
    assert first.entitlement_slug is None

    second = platform.connectors.register(name=name, version="1.1.0", entitlement_slug="connector-test")
    assert second.name == name and second.version == "1.1.0"
    assert second.entitlement_slug == "connector-test"
    assert second.created_at == first.created_at
    assert second.updated_at >= first.updated_at

    raw = platform_http(kaiten.platform_token).post(
        "platform/connectors", json={"name": name, "version": "1.2.0", "settings_schema": {}}
    )
    assert raw.status_code == 200, raw.text
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.json()["version"] == "1.2.0"


def test_organization_token_on_the_platform_listener_is_wrong_credential_kind(
    platform_http, kaiten, assert_problem
):
    response = platform_http(kaiten.org_token).get("platform/me")
    assert_problem(response, 403, "Auth.WrongCredentialKind")


def test_platform_credential_on_the_core_api_is_wrong_credential_kind(core_http, kaiten, assert_problem):
    response = core_http(kaiten.platform_token).get("customers")
    assert_problem(response, 403, "Auth.WrongCredentialKind")


def test_platform_authentication_failures(platform_http, kaiten, assert_problem):
    assert_problem(platform_http().get("platform/me"), 401, "Auth.MissingAuthorizationHeader")
    assert_problem(
        platform_http("ksm_" + "A" * 32).get("platform/me"), 401, "Auth.InvalidPlatformToken"
    )
    with KaitenPlatformClient(base_url=kaiten.platform_url, token="ksm_" + "B" * 32, max_retries=0) as client:
        with pytest.raises(AuthenticationError) as caught:
            client.me()
        assert caught.value.code == "Auth.InvalidPlatformToken"


def test_platform_routes_are_not_served_on_the_core_listener(core_http, kaiten):
    response = core_http(kaiten.platform_token).get("platform/me")
    assert response.status_code in (403, 404)
