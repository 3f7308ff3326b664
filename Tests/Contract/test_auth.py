"""Core API authentication: HS256 JWTs with just-in-time provisioning, ksh_ tokens, /api/tokens/validate."""

from __future__ import annotations

import time
import uuid

import pytest
from kaitencloud import AuthenticationError, PermissionDeniedError


def new_identity() -> tuple[str, str]:
    return f"user_{uuid.uuid4().hex[:10]}", f"org_{uuid.uuid4().hex[:10]}"


def full_claims(sub: str, org: str, scopes: list[str], **extra) -> dict:
    return {
        "sub": sub,
        "kaiten_external_org_id": org,
        "scopes": scopes,
        "email": f"{sub}@example.com",
        "name": f"Name of {sub}",
        "kaiten_org_name": f"Org {org}",
        **extra,
    }


def test_jwt_user_creates_a_customer_attributed_to_its_uuidv5(sign_jwt, core_client, kaiten_ids, platform):
    sub, org = new_identity()
    client = core_client(sign_jwt(full_claims(sub, org, ["write:*"])))

    customer = client.customers.create(name="Made by a human")

    root = uuid.UUID("eb025416-6f74-4684-97e9-83e99784aaa5")
    user_id = str(uuid.uuid5(uuid.uuid5(root, "user"), sub))
    assert customer.created_by.id == user_id == kaiten_ids.user(sub)
    assert customer.created_by.name == f"Name of {sub}"
    assert customer.updated_by.id == user_id

    # The organization was provisioned just in time, under its deterministic id and claimed name.
    provisioned = platform.organizations.get(kaiten_ids.organization(org))
    assert provisioned.external_id == org
    assert provisioned.name == f"Org {org}"
    assert [c.id for c in client.customers.list()] == [customer.id]


def test_jwt_with_only_the_required_claims(sign_jwt, core_client, kaiten_ids, platform):
    sub, org = new_identity()
    client = core_client(sign_jwt({"sub": sub, "kaiten_external_org_id": org, "scopes": ["write:customers"]}))

    customer = client.customers.create(name="Minimal claims")
    assert customer.created_by.id == kaiten_ids.user(sub)
    assert customer.created_by.name == sub  # the name defaults to the subject
    # Without kaiten_org_name the organization is named after its external id.
    assert platform.organizations.get(kaiten_ids.organization(org)).name == org


def test_jwt_org_and_platform_ensure_converge(sign_jwt, core_client, platform):
    sub, org = new_identity()
    ensured = platform.organizations.ensure(external_id=org, name="Ensured First")
    client = core_client(sign_jwt(full_claims(sub, org, ["write:*"])))
    client.customers.create(name="In the ensured org", slug="converged")

    minted = core_client(platform.tokens.mint(ensured.id, name="sees-it", scopes=["read:customers"]).token)
    assert [c.slug for c in minted.customers.list()] == ["converged"]


def test_the_same_user_in_two_organizations_sees_each_separately(sign_jwt, core_client):
    sub, org_a = new_identity()
    _, org_b = new_identity()
    a = core_client(sign_jwt(full_claims(sub, org_a, ["write:*"])))
    b = core_client(sign_jwt(full_claims(sub, org_b, ["write:*"])))
    made = a.customers.create(name="Only in A", slug="only-in-a")
    assert b.customers.list() == []
    assert [c.id for c in a.customers.list()] == [made.id]


@pytest.mark.parametrize("missing", ["sub", "kaiten_external_org_id", "scopes"])
def test_missing_claims_are_refused(missing, sign_jwt, core_http, assert_problem, core_client):
    sub, org = new_identity()
    claims = full_claims(sub, org, ["write:*"])
    del claims[missing]
    token = sign_jwt(claims)
    assert_problem(core_http(token).get("customers"), 401, "Auth.MissingClaims")
    with pytest.raises(AuthenticationError) as caught:
        core_client(token).customers.list()
    assert caught.value.code == "Auth.MissingClaims"
    assert caught.value.error_id


def test_a_non_string_scope_is_refused(sign_jwt, core_http, assert_problem):
    sub, org = new_identity()
    response = core_http(sign_jwt(full_claims(sub, org, ["write:*", 7]))).get("customers")
    assert_problem(response, 401, "Auth.InvalidScopes")


def test_bad_signature_is_refused(sign_jwt, core_http, core_client, assert_problem):
    sub, org = new_identity()
    token = sign_jwt(full_claims(sub, org, ["write:*"]), secret="not-the-server-secret")
    assert_problem(core_http(token).get("customers"), 401, "Auth.InvalidToken")
    with pytest.raises(AuthenticationError) as caught:
        core_client(token).customers.create(name="Forged")
    assert caught.value.code == "Auth.InvalidToken"


def test_tampered_claims_are_refused(sign_jwt, core_http, assert_problem):
    sub, org = new_identity()
    header, _, signature = sign_jwt(full_claims(sub, org, ["read:customers"])).split(".")
    _, forged_payload, _ = sign_jwt(full_claims(sub, org, ["write:*"])).split(".")
    response = core_http(f"{header}.{forged_payload}.{signature}").post("customers", json={"name": "Escalated"})
    assert_problem(response, 401, "Auth.InvalidToken")


def test_unsigned_jwts_are_refused(sign_jwt, core_http, assert_problem):
    sub, org = new_identity()
    token = sign_jwt(full_claims(sub, org, ["write:*"]), alg="none")
    assert_problem(core_http(token).get("customers"), 401, "Auth.InvalidToken")


def test_expired_and_not_yet_valid_jwts_are_refused(sign_jwt, core_http, assert_problem):
    sub, org = new_identity()
    now = int(time.time())
    expired = sign_jwt(full_claims(sub, org, ["write:*"], exp=now - 60))
    assert_problem(core_http(expired).get("customers"), 401, "Auth.InvalidToken")
    future = sign_jwt(full_claims(sub, org, ["write:*"], nbf=now + 3600))
    assert_problem(core_http(future).get("customers"), 401, "Auth.InvalidToken")
    valid = sign_jwt(full_claims(sub, org, ["write:*"], exp=now + 600, iat=now))
    assert core_http(valid).get("customers").status_code == 200


def test_read_scope_cannot_write(sign_jwt, core_client):
    sub, org = new_identity()
    writer = core_client(sign_jwt(full_claims(sub, org, ["write:customers"])))
    writer.customers.create(name="Existing", slug="existing")

    reader_sub, _ = new_identity()
    reader = core_client(sign_jwt(full_claims(reader_sub, org, ["read:*"])))
    assert [c.slug for c in reader.customers.list()] == ["existing"]
    assert reader.customers.get("existing").name == "Existing"
    for attempt in (
        lambda: reader.customers.create(name="Nope"),
        lambda: reader.customers.update("existing", name="Changed"),
        lambda: reader.customers.delete("existing"),
    ):
        with pytest.raises(PermissionDeniedError) as caught:
            attempt()
        assert caught.value.code == "Auth.MissingScope"
        assert caught.value.error_id
    assert reader.customers.get("existing").name == "Existing"


def test_a_jwt_without_any_scope_can_do_nothing(sign_jwt, core_client):
    sub, org = new_identity()
    client = core_client(sign_jwt(full_claims(sub, org, [])))
    with pytest.raises(PermissionDeniedError) as caught:
        client.customers.list()
    assert caught.value.code == "Auth.MissingScope"


def test_authorization_header_errors(core_http, kaiten, assert_problem):
    assert_problem(core_http().get("customers"), 401, "Auth.MissingAuthorizationHeader")
    assert_problem(
        core_http(Authorization=f"Basic {kaiten.org_token}").get("customers"), 401, "Auth.UnknownAuthorizationHeader"
    )
    assert_problem(core_http(Authorization="Bearer").get("customers"), 401)
    assert_problem(core_http("not-a-jwt").get("customers"), 401, "Auth.InvalidToken")
    assert_problem(core_http("ksh_" + "x" * 32).get("customers"), 401, "Auth.InvalidToken")


def test_health_and_readiness_need_no_credential(core_http):
    for path in ("healthz", "readyz"):
        response = core_http().get(path)
        assert response.status_code == 200, (path, response.text)


def test_validate_returns_an_unsigned_jwt_for_a_service_account_token(
    client, organization, core_http, decode_jwt
):
    org, _ = organization
    sa = client.service_accounts.create(name="Envoy Caller")
    token = client.service_accounts.create_token(sa.slug, name="edge", scopes=["read:customers", "write:instances"])

    before = int(time.time())
    for method in ("GET", "POST", "PUT", "DELETE"):
        response = core_http(token.token).request(method, "tokens/validate")
        assert response.status_code == 200, (method, response.text)
        scheme, _, jwt = response.headers["authorization"].partition(" ")
        assert scheme == "Bearer"
        header, claims = decode_jwt(jwt)
        assert header["alg"] == "none"
        assert jwt.endswith(".")  # no signature
        assert claims["sub"] == sa.external_id
        assert claims["kaiten_external_org_id"] == org.external_id
        assert claims["scopes"] == ["read:customers", "write:instances"]
        assert before - 5 <= claims["iat"] <= time.time() + 5
        assert claims["iat"] < claims["exp"] <= claims["iat"] + 3600


def test_validate_clamps_expiry_to_the_token(platform, organization, core_http, decode_jwt):
    org, _ = organization
    minted = platform.tokens.mint(org.id, name="quarter-hour", scopes=["read:customers"], ttl="15m")
    response = core_http(minted.token).get("tokens/validate")
    assert response.status_code == 200
    _, claims = decode_jwt(response.headers["authorization"].split(" ", 1)[1])
    assert claims["exp"] <= minted.expires_at.timestamp() + 1
    assert claims["exp"] - claims["iat"] <= 15 * 60 + 1
    assert claims["sub"] == "system:kaiten"


def test_validate_failures(core_http, kaiten, sign_jwt, assert_problem, client, organization):
    assert_problem(core_http().get("tokens/validate"), 401, "ValidateToken.MissingAuthorizationHeader")
    assert_problem(core_http().post("tokens/validate"), 401, "ValidateToken.MissingAuthorizationHeader")
    assert_problem(core_http("ksh_" + "y" * 32).get("tokens/validate"), 401, "ValidateToken.Invalid")
    # Only ksh_ tokens are validated: neither JWTs nor platform credentials.
    sub, org = new_identity()
    assert core_http(sign_jwt(full_claims(sub, org, ["write:*"]))).get("tokens/validate").status_code == 401
    assert core_http(kaiten.platform_token).get("tokens/validate").status_code in (401, 403)

    sa = client.service_accounts.create(name="Revoked At Edge")
    token = client.service_accounts.create_token(sa.slug, name="edge", scopes=["read:customers"])
    assert core_http(token.token).get("tokens/validate").status_code == 200
    client.service_accounts.delete_token(sa.slug, token.slug)
    assert_problem(core_http(token.token).get("tokens/validate"), 401, "ValidateToken.Invalid")
