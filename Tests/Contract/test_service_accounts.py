"""Service accounts and their ksh_ tokens, through the SDK."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    UnprocessableEntityError,
)

TOKEN = re.compile(r"^ksh_[A-Za-z0-9_-]{32}$")


def test_create_list_get_update(client):
    created = client.service_accounts.create(name="Billing Sync")
    assert created.name == "Billing Sync"
    assert re.fullmatch(r"billing-sync-[0-9a-f]{6}", created.slug or ""), created.slug
    uuid.UUID(created.id)
    assert created.external_id and created.external_id.startswith("ksa_") and len(created.external_id) == 36
    assert created.tokens == []
    assert created.created_by is not None and created.created_at is not None

    explicit = client.service_accounts.create(name="Deployer", slug="deployer")
    assert explicit.slug == "deployer"

    listed = client.service_accounts.list()
    assert {sa.slug for sa in listed} == {"deployer", created.slug}
    keys = [(sa.created_at, sa.id) for sa in listed]
    assert keys == sorted(keys, reverse=True)  # newest first

    fetched = client.service_accounts.get(created.slug)
    assert fetched.id == created.id and fetched.external_id == created.external_id

    client.service_accounts.update(created.slug, name="Billing Sync v2")
    renamed = client.service_accounts.get(created.slug)
    assert renamed.name == "Billing Sync v2"
    assert renamed.slug == created.slug  # the slug never follows the name


def test_unknown_service_account_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.service_accounts.get("nobody-here")
    assert caught.value.code == "GetServiceAccount.NotFound"
    assert caught.value.error_id
    with pytest.raises(NotFoundError):
        client.service_accounts.update("nobody-here", name="x")
    with pytest.raises(NotFoundError):
        client.service_accounts.list_tokens("nobody-here")
    with pytest.raises(NotFoundError):
        client.service_accounts.create_token("nobody-here", name="t", scopes=["read:customers"])


def test_create_token_shows_the_secret_once(client, organization, core_http):
    sa = client.service_accounts.create(name="Reporter")
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    token = client.service_accounts.create_token(sa.slug, name="Read only", scopes=["read:customers"])

    assert token.token and TOKEN.match(token.token), token.token
    assert token.name == "Read only"
    assert re.fullmatch(r"read-only-[0-9a-f]{6}", token.slug or ""), token.slug
    assert token.scopes == ["read:customers"]
    assert token.service_account_id == sa.id
    assert token.expires_at is None and token.revoked_at is None
    assert token.created_at >= before

    listed = client.service_accounts.list_tokens(sa.slug)
    assert [t.slug for t in listed] == [token.slug]
    assert listed[0].scopes == ["read:customers"]
    assert listed[0].id == token.id

    # The plaintext appears nowhere but in the creation response.
    http = core_http(organization[1])
    for path in (f"service-accounts/{sa.slug}/tokens", f"service-accounts/{sa.slug}", "service-accounts"):
        response = http.get(path)
        assert response.status_code == 200
        assert token.token not in response.text
        assert '"token":' not in response.text.replace('"tokens":', "")
    assert [t.slug for t in client.service_accounts.get(sa.slug).tokens or []] == [token.slug]


def test_token_with_expiry(client):
    sa = client.service_accounts.create(name="Expiring")
    expires = (datetime.now(timezone.utc) + timedelta(days=1)).replace(microsecond=0)
    token = client.service_accounts.create_token(sa.slug, name="day", scopes=["read:customers"], expires_at=expires)
    assert token.expires_at is not None
    assert abs((token.expires_at - expires).total_seconds()) < 1


def test_a_token_cannot_be_created_already_expired(client):
    sa = client.service_accounts.create(name="Expired")
    with pytest.raises(BadRequestError) as caught:
        client.service_accounts.create_token(
            sa.slug,
            name="past",
            scopes=["read:customers"],
            expires_at=datetime.now(timezone.utc) - timedelta(minutes=1),
        )
    assert caught.value.code == "CreateToken.InvalidExpiry"
    assert client.service_accounts.list_tokens(sa.slug) == []


def test_the_new_token_works_within_its_scope_only(client, core_client):
    client.customers.create(name="Visible", slug="visible")
    sa = client.service_accounts.create(name="Scoped")
    token = client.service_accounts.create_token(sa.slug, name="reader", scopes=["read:customers"])
    scoped = core_client(token.token)

    assert [c.slug for c in scoped.customers.list()] == ["visible"]
    assert scoped.customers.get("visible").name == "Visible"

    with pytest.raises(PermissionDeniedError) as caught:
        scoped.customers.create(name="Nope")
    assert caught.value.code == "Auth.MissingScope"
    assert caught.value.error_id
    assert "write:customers" in (caught.value.detail or "")

    with pytest.raises(PermissionDeniedError) as caught:
        scoped.customers.delete("visible")
    assert caught.value.code == "Auth.MissingScope"

    with pytest.raises(PermissionDeniedError) as caught:
        scoped.service_accounts.list()
    assert caught.value.code == "Auth.MissingScope"
    assert client.customers.get("visible").name == "Visible"


def test_write_implies_read(client, core_client):
    sa = client.service_accounts.create(name="Writer")
    writer = core_client(
        client.service_accounts.create_token(sa.slug, name="writer", scopes=["write:customers"]).token
    )
    created = writer.customers.create(name="Written")
    assert writer.customers.get(created.slug).id == created.id
    # Actions by the token are attributed to its service account.
    assert created.created_by.id == sa.id


def test_delete_token_revokes_it_at_once(client, core_client):
    sa = client.service_accounts.create(name="Revocable")
    token = client.service_accounts.create_token(sa.slug, name="temp", scopes=["read:customers"])
    other = client.service_accounts.create_token(sa.slug, name="keep", scopes=["read:customers"])
    user = core_client(token.token)
    assert user.customers.list() == []

    client.service_accounts.delete_token(sa.slug, token.slug)

    with pytest.raises(AuthenticationError) as caught:
        user.customers.list()
    assert caught.value.code == "Auth.InvalidToken"
    assert caught.value.error_id
    # Only that token: its sibling still works.
    assert core_client(other.token).customers.list() == []
    # The list keeps the revoked token, marked as such (as the Go server does).
    listed = {t.slug: t for t in client.service_accounts.list_tokens(sa.slug)}
    assert set(listed) == {token.slug, other.slug}
    assert listed[token.slug].revoked_at is not None and listed[token.slug].revoked_by is not None
    assert listed[other.slug].revoked_at is None

    with pytest.raises(NotFoundError) as caught:
        client.service_accounts.delete_token(sa.slug, token.slug)
    assert caught.value.code == "DeleteToken.NotFound"


def test_token_names_are_unique_among_active_tokens(client):
    sa = client.service_accounts.create(name="Named")
    first = client.service_accounts.create_token(sa.slug, name="ci", scopes=["read:customers"])
    with pytest.raises(ConflictError) as caught:
        client.service_accounts.create_token(sa.slug, name="ci", scopes=["read:customers"])
    assert caught.value.code == "CreateToken.NameConflict"
    assert caught.value.error_id

    # Once revoked, the name is free again.
    client.service_accounts.delete_token(sa.slug, first.slug)
    again = client.service_accounts.create_token(sa.slug, name="ci", scopes=["read:customers"])
    assert again.slug != first.slug


def test_invalid_scopes_are_a_bad_request(client):
    sa = client.service_accounts.create(name="Invalid Scopes")
    for scopes in (["delete:customers"], ["read:users"], ["not-a-scope"]):
        with pytest.raises(BadRequestError) as caught:
            client.service_accounts.create_token(sa.slug, name=f"bad-{scopes[0]}", scopes=scopes)
        assert caught.value.code == "Token.InvalidScopes", scopes
    assert client.service_accounts.list_tokens(sa.slug) == []


def test_scopes_exceeding_the_caller_are_refused(client, core_client):
    sa = client.service_accounts.create(name="Token Admin")
    admin_token = client.service_accounts.create_token(sa.slug, name="admin", scopes=["write:tokens"]).token
    admin = core_client(admin_token)

    with pytest.raises(PermissionDeniedError) as caught:
        admin.service_accounts.create_token(sa.slug, name="escalate", scopes=["write:customers"])
    assert caught.value.code == "CreateToken.ScopesExceedCredential"
    assert caught.value.error_id
    with pytest.raises(PermissionDeniedError) as caught:
        admin.service_accounts.create_token(sa.slug, name="escalate-all", scopes=["write:*"])
    assert caught.value.code == "CreateToken.ScopesExceedCredential"

    # Within its own scopes it may issue tokens.
    lesser = admin.service_accounts.create_token(sa.slug, name="lesser", scopes=["read:tokens"])
    assert lesser.scopes == ["read:tokens"]
    assert sorted(t.name for t in client.service_accounts.list_tokens(sa.slug)) == ["admin", "lesser"]


def test_invalid_service_account_input_is_unprocessable(client):
    with pytest.raises(UnprocessableEntityError) as caught:
        client.service_accounts.create(name="")
    assert caught.value.code == "UNPROCESSABLE"
    with pytest.raises(UnprocessableEntityError):
        client.service_accounts.create(name="ok", slug="Bad Slug")
    assert client.service_accounts.list() == []


def test_service_accounts_are_isolated_between_organizations(client, platform, core_client):
    sa = client.service_accounts.create(name="Mine", slug="mine")
    token = client.service_accounts.create_token("mine", name="t", scopes=["read:customers"])

    other_org = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}")
    other = core_client(platform.tokens.mint(other_org.id, name="other").token)
    assert other.service_accounts.list() == []
    with pytest.raises(NotFoundError):
        other.service_accounts.get("mine")
    with pytest.raises(NotFoundError):
        other.service_accounts.delete_token("mine", token.slug)
    with pytest.raises(NotFoundError):
        other.service_accounts.create_token("mine", name="sneaky", scopes=["read:customers"])
    # A token of one organization only ever sees its own.
    assert core_client(token.token).customers.list() == client.customers.list()
    assert client.service_accounts.get("mine").id == sa.id
