"""Every JSON body the server sends has the shape the Kaiten contract gives it.

Each implemented operation is called live, over raw HTTP, into its successes and its refusals; every
response's status must be one the contract lists for the operation, and its body must validate (JSON
Schema 2020-12, formats asserted) against the contract's schema for that operation, status and media type.
A 413 is ours (the contract has none) and must be a Problem.

The outbox is checked the same way: after each write, the `outbox_events` rows it added are read from
PostgreSQL and `{name, type, data}` must validate against the contract's webhook payload for the event
type. A write that fails adds no row.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections import defaultdict

import httpx
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from openapi_contract import contract, contract_uri, operations, pointer, validator

# (spec, operationId) -> statuses validated; read by the coverage test at the end.
SEEN: dict[tuple[str, str], set[int]] = defaultdict(set)

PROBLEM = "application/problem+json"


class Surface:
    """One API surface (core or platform) of the contract, for checking responses."""

    def __init__(self, spec: str):
        self.spec = spec
        self.uri = contract_uri(spec)
        self.operations = operations(contract(spec))

    def check(self, operation_id: str, response: httpx.Response, status: int | None = None):
        """Asserts `response` is a documented answer of the operation, validates its body, returns it parsed."""
        path, method, operation = self.operations[operation_id]
        label = f"{self.spec} {operation_id} ({method.upper()} {path}) -> {response.status_code}"
        if status is not None:
            assert response.status_code == status, f"{label}, expected {status}: {response.text[:500]}"
        code = str(response.status_code)
        if code == "413" and "requestBody" in operation and code not in operation["responses"]:
            schema_pointer = pointer("components", "schemas", "Problem")
            content = {PROBLEM: None}
        else:
            assert code in operation["responses"], f"{label}: status not in the contract: {response.text[:500]}"
            content = operation["responses"][code].get("content")
            schema_pointer = None
        SEEN[(self.spec, operation_id)].add(response.status_code)
        if not content:
            assert response.content == b"", f"{label}: the contract gives this status no body"
            return None
        media_type = response.headers.get("content-type", "").split(";")[0].strip()
        assert media_type in content, f"{label}: content type {media_type!r}, contract has {sorted(content)}"
        body = response.json()
        if schema_pointer is None:
            schema_pointer = pointer("paths", path, method, "responses", code, "content", media_type, "schema")
        errors = sorted(validator(self.uri, schema_pointer).iter_errors(body), key=lambda e: list(e.absolute_path))
        assert not errors, f"{label}: body does not match the contract:\n" + "\n".join(
            f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}" for e in errors
        ) + f"\nbody: {json.dumps(body)[:2000]}"
        if media_type == PROBLEM:
            assert body.get("status") == response.status_code, f"{label}: problem status {body.get('status')}"
            assert body.get("code"), f"{label}: a problem always carries a code"
        return body


CORE = Surface("core")
PLATFORM = Surface("platform")


# ----------------------------------------------------------------------------------------------------------
# Fixtures.


@pytest.fixture
def org(organization):
    """A fresh organization: (id, write:* token)."""
    organization_, token = organization
    return organization_.id, token


@pytest.fixture
def core(kaiten, org):
    with httpx.Client(base_url=kaiten.core_url, headers={"Authorization": f"Bearer {org[1]}"}, timeout=30) as client:
        yield client


@pytest.fixture
def anonymous_core(kaiten):
    with httpx.Client(base_url=kaiten.core_url, timeout=30) as client:
        yield client


@pytest.fixture
def platform_http(kaiten):
    with httpx.Client(base_url=kaiten.platform_url, headers={"Authorization": f"Bearer {kaiten.platform_token}"}, timeout=30) as client:
        yield client


@pytest.fixture
def token_with(kaiten, org, platform_http):
    """Mints, in the test's organization, a token that holds only the given scopes."""

    def mint(*scopes: str) -> httpx.Client:
        response = platform_http.post(f"/platform/organizations/{org[0]}/tokens", json={"name": f"only-{uuid.uuid4().hex[:6]}", "scopes": list(scopes)})
        token = PLATFORM.check("mint-organization-token", response, 201)["token"]
        client = httpx.Client(base_url=kaiten.core_url, headers={"Authorization": f"Bearer {token}"}, timeout=30)
        clients.append(client)
        return client

    clients: list[httpx.Client] = []
    yield mint
    for client in clients:
        client.close()


@pytest.fixture(scope="module")
def db(kaiten):
    psycopg = pytest.importorskip("psycopg")
    from psycopg.rows import dict_row

    with psycopg.connect(kaiten.postgres_url, autocommit=True, row_factory=dict_row) as connection:
        yield connection


@pytest.fixture(scope="module")
def served_core(kaiten) -> dict:
    return httpx.get(f"{kaiten.core_url}/openapi.json").json()


def oversized_body() -> bytes:
    """A JSON object past the server's 1 MiB request body limit."""
    return json.dumps({"name": "x" * (1 << 20)}).encode()


# ----------------------------------------------------------------------------------------------------------
# Customers.


def test_customer_operations(core, anonymous_core, token_with):
    reader = token_with("read:tokens")

    page = CORE.check("list-customers", core.get("/customers"), 200)
    assert page == {"items": [], "hasMore": False}

    full = CORE.check(
        "create-customer",
        core.post("/customers", json={"name": "Acme Corp", "slug": "acme", "domain": "acme.example", "externalCustomerId": "crm-1"}),
        201,
    )
    assert (full["name"], full["slug"], full["domain"], full["externalCustomerId"]) == ("Acme Corp", "acme", "acme.example", "crm-1")
    minimal = CORE.check("create-customer", core.post("/customers", json={"name": "Globex"}), 201)
    assert minimal["slug"] and "domain" not in minimal
    nulled = CORE.check("create-customer", core.post("/customers", json={"name": "Initech", "externalCustomerId": None}), 201)

    # Paging: nextCursor is present while there is more, absent on the last page.
    first = CORE.check("list-customers", core.get("/customers", params={"limit": 2}), 200)
    assert len(first["items"]) == 2 and first["hasMore"] is True and isinstance(first["nextCursor"], str)
    second = CORE.check("list-customers", core.get("/customers", params={"limit": 2, "cursor": first["nextCursor"]}), 200)
    assert len(second["items"]) == 1 and second["hasMore"] is False and "nextCursor" not in second
    assert {c["id"] for c in first["items"] + second["items"]} == {full["id"], minimal["id"], nulled["id"]}

    for limit in (0, 201, "ten"):
        CORE.check("list-customers", core.get("/customers", params={"limit": limit}), 422)
    CORE.check("list-customers", core.get("/customers", params={"cursor": "not-a-cursor"}), 400)
    CORE.check("list-customers", anonymous_core.get("/customers"), 401)
    CORE.check("list-customers", reader.get("/customers"), 403)

    # Refused creates.
    CORE.check("create-customer", core.post("/customers", json={}), 422)
    CORE.check("create-customer", core.post("/customers", json={"name": "X", "id": "chosen"}), 422)
    CORE.check("create-customer", core.post("/customers", json={"name": "X", "unknown": 1}), 422)
    CORE.check("create-customer", core.post("/customers", json={"name": "X", "slug": "Not A Slug"}), 422)
    CORE.check("create-customer", core.post("/customers", json={"name": "X", "domain": "no-dot"}), 422)
    CORE.check("create-customer", core.post("/customers", content=b'{"name": ', headers={"content-type": "application/json"}), 400)
    CORE.check("create-customer", core.post("/customers", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    CORE.check("create-customer", anonymous_core.post("/customers", json={"name": "X"}), 401)
    CORE.check("create-customer", reader.post("/customers", json={"name": "X"}), 403)

    got = CORE.check("get-customer", core.get("/customers/acme"), 200)
    assert got == full
    CORE.check("get-customer", core.get("/customers/no-such-customer"), 404)
    CORE.check("get-customer", anonymous_core.get("/customers/acme"), 401)
    CORE.check("get-customer", reader.get("/customers/acme"), 403)

    # PUT replaces: what is left out is cleared; slug may be echoed.
    CORE.check("update-customer", core.put("/customers/acme", json={"name": "Acme Inc", "slug": "acme"}), 204)
    updated = CORE.check("get-customer", core.get("/customers/acme"), 200)
    assert updated["name"] == "Acme Inc" and "domain" not in updated and updated["createdAt"] == full["createdAt"]
    CORE.check("update-customer", core.put("/customers/acme", json={}), 422)
    CORE.check("update-customer", core.put("/customers/acme", json={"name": "Acme", "slug": "renamed"}), 422)
    CORE.check("update-customer", core.put("/customers/acme", content=b"[", headers={"content-type": "application/json"}), 400)
    CORE.check("update-customer", core.put("/customers/acme", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    CORE.check("update-customer", anonymous_core.put("/customers/acme", json={"name": "A"}), 401)
    CORE.check("update-customer", reader.put("/customers/acme", json={"name": "A"}), 403)

    CORE.check("delete-customer", anonymous_core.delete("/customers/acme"), 401)
    CORE.check("delete-customer", reader.delete("/customers/acme"), 403)
    CORE.check("delete-customer", core.delete("/customers/acme"), 204)
    CORE.check("get-customer", core.get("/customers/acme"), 404)


def test_create_customer_with_a_taken_slug_is_409(core):
    CORE.check("create-customer", core.post("/customers", json={"name": "One", "slug": "taken"}), 201)
    problem = CORE.check("create-customer", core.post("/customers", json={"name": "Two", "slug": "taken"}), 409)
    assert problem["code"] == "CreateCustomer.SlugConflict"


def test_update_of_a_missing_customer_is_404(core):
    CORE.check("update-customer", core.put("/customers/no-such-customer", json={"name": "X"}), 404)


def test_delete_of_a_missing_customer_is_404(core):
    CORE.check("delete-customer", core.delete("/customers/no-such-customer"), 404)


# ----------------------------------------------------------------------------------------------------------
# Service accounts and their tokens.


def test_service_account_operations(core, anonymous_core, token_with):
    reader = token_with("read:customers")

    listed = CORE.check("get-service-accounts", core.get("/service-accounts"), 200)
    assert listed["hasMore"] is False and "nextCursor" not in listed

    bot = CORE.check("create-service-account", core.post("/service-accounts", json={"name": "Deploy bot", "slug": "deploy-bot"}), 201)
    assert bot["slug"] == "deploy-bot" and bot["tokens"] == []
    other = CORE.check("create-service-account", core.post("/service-accounts", json={"name": "Other bot"}), 201)
    assert other["slug"] != bot["slug"]
    CORE.check("create-service-account", core.post("/service-accounts", json={}), 422)
    CORE.check("create-service-account", core.post("/service-accounts", json={"name": "X", "tokens": []}), 422)
    CORE.check("create-service-account", core.post("/service-accounts", content=b"{", headers={"content-type": "application/json"}), 400)
    CORE.check("create-service-account", core.post("/service-accounts", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    CORE.check("create-service-account", anonymous_core.post("/service-accounts", json={"name": "X"}), 401)
    CORE.check("create-service-account", reader.post("/service-accounts", json={"name": "X"}), 403)

    first = CORE.check("get-service-accounts", core.get("/service-accounts", params={"limit": 1}), 200)
    assert first["hasMore"] is True and first["nextCursor"]
    CORE.check("get-service-accounts", core.get("/service-accounts", params={"limit": 1, "cursor": first["nextCursor"]}), 200)
    CORE.check("get-service-accounts", core.get("/service-accounts", params={"limit": 0}), 422)
    CORE.check("get-service-accounts", core.get("/service-accounts", params={"cursor": "bogus"}), 400)
    CORE.check("get-service-accounts", anonymous_core.get("/service-accounts"), 401)
    CORE.check("get-service-accounts", reader.get("/service-accounts"), 403)

    CORE.check("get-service-account", core.get("/service-accounts/deploy-bot"), 200)
    CORE.check("get-service-account", core.get("/service-accounts/no-such-account"), 404)
    CORE.check("get-service-account", anonymous_core.get("/service-accounts/deploy-bot"), 401)
    CORE.check("get-service-account", reader.get("/service-accounts/deploy-bot"), 403)

    CORE.check("update-service-account", core.put("/service-accounts/deploy-bot", json={"name": "Release bot"}), 204)
    assert CORE.check("get-service-account", core.get("/service-accounts/deploy-bot"), 200)["name"] == "Release bot"
    CORE.check("update-service-account", core.put("/service-accounts/no-such-account", json={"name": "X"}), 404)
    CORE.check("update-service-account", core.put("/service-accounts/deploy-bot", json={}), 422)
    CORE.check("update-service-account", core.put("/service-accounts/deploy-bot", content=b"nope", headers={"content-type": "application/json"}), 400)
    CORE.check("update-service-account", core.put("/service-accounts/deploy-bot", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    CORE.check("update-service-account", anonymous_core.put("/service-accounts/deploy-bot", json={"name": "X"}), 401)
    CORE.check("update-service-account", reader.put("/service-accounts/deploy-bot", json={"name": "X"}), 403)

    tokens = "/service-accounts/deploy-bot/tokens"
    assert CORE.check("get-service-account-tokens", core.get(tokens), 200)["items"] == []
    plain = CORE.check(
        "create-service-account-token",
        core.post(tokens, json={"name": "ci", "slug": "ci", "scopes": ["read:customers"], "expiresAt": "2099-01-01T00:00:00Z"}),
        201,
    )
    assert plain["token"].startswith("ksh_") and plain["scopes"] == ["read:customers"]
    CORE.check("create-service-account-token", core.post(tokens, json={"name": "second"}), 201)
    CORE.check("create-service-account-token", core.post(tokens, json={"name": "dup", "slug": "ci"}), 409)
    CORE.check("create-service-account-token", core.post(tokens, json={"name": "bad", "scopes": ["no:such-scope"]}), 400)
    CORE.check("create-service-account-token", core.post(tokens, json={"name": "bad", "token": "ksh_mine"}), 422)
    CORE.check("create-service-account-token", core.post(tokens, content=oversized_body(), headers={"content-type": "application/json"}), 413)
    CORE.check("create-service-account-token", core.post("/service-accounts/no-such-account/tokens", json={"name": "x"}), 404)
    CORE.check("create-service-account-token", anonymous_core.post(tokens, json={"name": "x"}), 401)
    CORE.check("create-service-account-token", reader.post(tokens, json={"name": "x"}), 403)

    page = CORE.check("get-service-account-tokens", core.get(tokens, params={"limit": 1}), 200)
    assert page["hasMore"] is True and all("token" not in item for item in page["items"])
    CORE.check("get-service-account-tokens", core.get(tokens, params={"limit": 1, "cursor": page["nextCursor"]}), 200)
    CORE.check("get-service-account-tokens", core.get(tokens, params={"limit": 500}), 422)
    CORE.check("get-service-account-tokens", core.get(tokens, params={"cursor": "bogus"}), 400)
    CORE.check("get-service-account-tokens", core.get("/service-accounts/no-such-account/tokens"), 404)
    CORE.check("get-service-account-tokens", anonymous_core.get(tokens), 401)
    CORE.check("get-service-account-tokens", reader.get(tokens), 403)
    with_tokens = CORE.check("get-service-account", core.get("/service-accounts/deploy-bot"), 200)
    assert {t["slug"] for t in with_tokens["tokens"]} >= {"ci"}

    CORE.check("delete-service-account-token", anonymous_core.delete(f"{tokens}/ci"), 401)
    CORE.check("delete-service-account-token", reader.delete(f"{tokens}/ci"), 403)
    CORE.check("delete-service-account-token", core.delete(f"{tokens}/ci"), 204)
    CORE.check("delete-service-account-token", core.delete(f"{tokens}/ci"), 404)
    CORE.check("delete-service-account-token", core.delete("/service-accounts/no-such-account/tokens/ci"), 404)
    revoked = [t for t in CORE.check("get-service-account-tokens", core.get(tokens), 200)["items"] if t["slug"] == "ci"]
    assert revoked and "revokedAt" in revoked[0]
    # The revoked token no longer authenticates.
    CORE.check("list-customers", httpx.get(f"{core.base_url}customers", headers={"Authorization": f"Bearer {plain['token']}"}), 401)


def test_create_service_account_with_a_taken_slug_is_409(core):
    CORE.check("create-service-account", core.post("/service-accounts", json={"name": "A", "slug": "taken-sa"}), 201)
    problem = CORE.check("create-service-account", core.post("/service-accounts", json={"name": "B", "slug": "taken-sa"}), 409)
    assert problem["code"].endswith("SlugConflict")


# ----------------------------------------------------------------------------------------------------------
# Our own operations, checked against the document we serve.


def served_validator(document: dict, json_pointer: str):
    uri = "https://served.kaiten.test/openapi.json"
    registry = Registry().with_resource(uri, Resource.from_contents(document, default_specification=DRAFT202012))
    return validator(uri, json_pointer, registry)


def test_health_and_readiness(anonymous_core, served_core):
    for path, expected in (("/healthz", {"status": "ok"}), ("/readyz", {"status": "ready"})):
        response = anonymous_core.get(path)
        assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
        served_validator(served_core, pointer("paths", path, "get", "responses", "200", "content", "application/json", "schema")).validate(response.json())
        assert response.json() == expected


def test_validate_token(kaiten, anonymous_core, org, served_core):
    operation = served_core["paths"]["/tokens/validate"]["get"]
    ok = anonymous_core.get("/tokens/validate", headers={"Authorization": f"Bearer {org[1]}"})
    assert ok.status_code == 200 and ok.content == b""
    header = ok.headers["authorization"]
    served_validator(served_core, pointer("paths", "/tokens/validate", "get", "responses", "200", "headers", "Authorization", "schema")).validate(header)
    jwt_header, payload, signature = header.removeprefix("Bearer ").split(".")
    decode = lambda part: json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))  # noqa: E731
    assert decode(jwt_header)["alg"] == "none" and signature == ""
    claims = decode(payload)
    assert set(claims) >= {"sub", "kaiten_external_org_id", "scopes", "iat", "exp"}
    assert claims["scopes"] == ["write:*"] and 0 < claims["exp"] - claims["iat"] <= 3600

    problem_schema = served_validator(served_core, pointer("paths", "/tokens/validate", "get", "responses", "401", "content", PROBLEM, "schema"))
    for headers in ({}, {"Authorization": "Bearer ksh_not-a-real-token"}, {"Authorization": f"Bearer {kaiten.platform_token}"}):
        refused = anonymous_core.get("/tokens/validate", headers=headers)
        assert str(refused.status_code) in operation["responses"] and refused.status_code == 401
        assert refused.headers["content-type"].startswith(PROBLEM)
        problem_schema.validate(refused.json())


# ----------------------------------------------------------------------------------------------------------
# Platform API.


def sign_jwt(secret: str, claims: dict) -> str:
    encode = lambda data: base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()  # noqa: E731
    signing_input = f"{encode({'alg': 'HS256', 'typ': 'JWT'})}.{encode(claims)}"
    signature = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


def jwt_member(kaiten, db, external_org_id: str, **optional) -> tuple[str, str]:
    """Provisions a person in the organization through a signed JWT; returns (user id, JWT)."""
    subject = f"person-{uuid.uuid4().hex[:10]}"
    claims = {"sub": subject, "kaiten_external_org_id": external_org_id, "scopes": ["read:customers"], "exp": int(time.time()) + 600}
    claims.update(optional)
    token = sign_jwt(kaiten.jwt_secret, claims)
    CORE.check("list-customers", httpx.get(f"{kaiten.core_url}/customers", headers={"Authorization": f"Bearer {token}"}), 200)
    user_id = db.execute('SELECT id FROM "user" WHERE external_id = %s', (subject,)).fetchone()["id"]
    return str(user_id), token


def test_platform_operations(kaiten, platform_http, db):
    anonymous = httpx.Client(base_url=kaiten.platform_url, timeout=30)
    missing = str(uuid.uuid4())

    me = PLATFORM.check("get-platform-me", platform_http.get("/platform/me"), 200)
    assert me["subject"] == "system:kaiten" and me["credentialKind"] == "platform"
    PLATFORM.check("get-platform-me", anonymous.get("/platform/me"), 401)
    PLATFORM.check("get-platform-me", anonymous.get("/platform/me", headers={"Authorization": "Bearer ksm_unknown"}), 401)

    external_id = f"org_wire_{uuid.uuid4().hex[:8]}"
    created = PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={"externalId": external_id, "name": "Wire"}), 200)
    again = PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={"externalId": external_id, "name": "Renamed"}), 200)
    assert again == created and created["external_id"] == external_id
    PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={}), 422)
    PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={"externalId": "x", "extra": 1}), 422)
    PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", content=b"{", headers={"content-type": "application/json"}), 400)
    PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    PLATFORM.check("ensure-organization", anonymous.post("/platform/organizations", json={"externalId": "x"}), 401)
    org_id = created["id"]

    PLATFORM.check("get-organization", platform_http.get(f"/platform/organizations/{org_id}"), 200)
    PLATFORM.check("get-organization", platform_http.get(f"/platform/organizations/{missing}"), 404)
    PLATFORM.check("get-organization", platform_http.get("/platform/organizations/not-a-uuid"), 422)
    PLATFORM.check("get-organization", anonymous.get(f"/platform/organizations/{org_id}"), 401)

    tokens = f"/platform/organizations/{org_id}/tokens"
    minted = PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "ci", "scopes": ["read:customers"], "ttl": "15m"}), 201)
    assert minted["token"].startswith("ksh_") and minted["scopes"] == ["read:customers"] and "expiresAt" in minted
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "forever"}), 201)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={}), 422)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "x", "scopes": ["no:such-scope"]}), 400)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "x", "ttl": "soon"}), 400)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, content=oversized_body(), headers={"content-type": "application/json"}), 413)
    PLATFORM.check("mint-organization-token", platform_http.post(f"/platform/organizations/{missing}/tokens", json={"name": "x"}), 404)
    PLATFORM.check("mint-organization-token", anonymous.post(tokens, json={"name": "x"}), 401)
    # A core credential is refused on the platform surface.
    core_credential = {"Authorization": f"Bearer {minted['token']}"}
    PLATFORM.check("mint-organization-token", anonymous.post(tokens, json={"name": "x"}, headers=core_credential), 403)

    listed = PLATFORM.check("list-organization-tokens", platform_http.get(tokens), 200)
    assert minted["slug"] in {t["slug"] for t in listed} and all("token" not in t for t in listed)
    PLATFORM.check("list-organization-tokens", platform_http.get(f"/platform/organizations/{missing}/tokens"), 404)
    PLATFORM.check("list-organization-tokens", platform_http.get("/platform/organizations/nope/tokens"), 422)
    PLATFORM.check("list-organization-tokens", anonymous.get(tokens), 401)
    PLATFORM.check("list-organization-tokens", anonymous.get(tokens, headers=core_credential), 403)

    PLATFORM.check("revoke-organization-token", anonymous.delete(f"{tokens}/{minted['slug']}"), 401)
    PLATFORM.check("revoke-organization-token", platform_http.delete(f"{tokens}/{minted['slug']}"), 204)
    PLATFORM.check("revoke-organization-token", platform_http.delete(f"{tokens}/{minted['slug']}"), 404)
    PLATFORM.check("revoke-organization-token", platform_http.delete(f"/platform/organizations/nope/tokens/{minted['slug']}"), 422)

    connector = {"name": f"kaiten.integration.test.{uuid.uuid4().hex[:6]}", "version": "1.0.0", "settings_schema": {"type": "object"}}
    registered = PLATFORM.check("register-connector", platform_http.post("/platform/connectors", json=connector), 200)
    assert registered["name"] == connector["name"] and registered["settings_schema"] == {"type": "object"}
    PLATFORM.check("register-connector", platform_http.post("/platform/connectors", json={**connector, "version": "1.1.0", "entitlement_slug": "attio"}), 200)
    PLATFORM.check("register-connector", platform_http.post("/platform/connectors", json={"name": "x"}), 422)
    PLATFORM.check("register-connector", platform_http.post("/platform/connectors", content=b"]", headers={"content-type": "application/json"}), 400)
    PLATFORM.check("register-connector", platform_http.post("/platform/connectors", content=oversized_body(), headers={"content-type": "application/json"}), 413)
    PLATFORM.check("register-connector", anonymous.post("/platform/connectors", json=connector), 401)

    system_user = minted["createdBy"]["id"]  # the platform identity owns what it mints
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/{system_user}"), 403)
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/{missing}"), 404)
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/nope"), 422)
    PLATFORM.check("delete-membership", anonymous.delete(f"/platform/organizations/{org_id}/memberships/{missing}"), 401)
    member, _ = jwt_member(kaiten, db, external_id, email=f"{uuid.uuid4().hex[:8]}@example.test", name="Member", kaiten_org_name="Wire")
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/{member}"), 204)
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/{member}"), 404)

    PLATFORM.check("delete-user", platform_http.delete(f"/platform/users/{system_user}"), 403)
    PLATFORM.check("delete-user", platform_http.delete(f"/platform/users/{missing}"), 404)
    PLATFORM.check("delete-user", platform_http.delete("/platform/users/nope"), 422)
    PLATFORM.check("delete-user", anonymous.delete(f"/platform/users/{missing}"), 401)
    person, _ = jwt_member(kaiten, db, external_id, email=f"{uuid.uuid4().hex[:8]}@example.test", name="Person", kaiten_org_name="Wire")
    PLATFORM.check("delete-user", platform_http.delete(f"/platform/users/{person}"), 204)
    PLATFORM.check("delete-user", platform_http.delete(f"/platform/users/{person}"), 404)

    PLATFORM.check("delete-organization", anonymous.delete(f"/platform/organizations/{org_id}"), 401)
    PLATFORM.check("delete-organization", platform_http.delete(f"/platform/organizations/{org_id}"), 204)
    PLATFORM.check("delete-organization", platform_http.delete(f"/platform/organizations/{org_id}"), 404)
    PLATFORM.check("delete-organization", platform_http.delete("/platform/organizations/nope"), 422)
    PLATFORM.check("get-organization", platform_http.get(f"/platform/organizations/{org_id}"), 404)
    anonymous.close()


def test_minting_a_taken_token_name_is_409(org, platform_http):
    tokens = f"/platform/organizations/{org[0]}/tokens"
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "twice"}), 201)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "twice"}), 409)


def test_a_jwt_without_optional_claims_is_provisioned(kaiten, platform_http, db):
    external_id = f"org_jit_{uuid.uuid4().hex[:8]}"
    PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={"externalId": external_id}), 200)
    jwt_member(kaiten, db, external_id)


def test_removed_people_are_refused_with_403(kaiten, platform_http, db):
    external_id = f"org_gone_{uuid.uuid4().hex[:8]}"
    org_id = PLATFORM.check("ensure-organization", platform_http.post("/platform/organizations", json={"externalId": external_id}), 200)["id"]
    claims = {"kaiten_org_name": "Gone"}
    member, member_jwt = jwt_member(kaiten, db, external_id, email=f"{uuid.uuid4().hex[:8]}@example.test", name="M", **claims)
    person, person_jwt = jwt_member(kaiten, db, external_id, email=f"{uuid.uuid4().hex[:8]}@example.test", name="P", **claims)
    PLATFORM.check("delete-membership", platform_http.delete(f"/platform/organizations/{org_id}/memberships/{member}"), 204)
    PLATFORM.check("delete-user", platform_http.delete(f"/platform/users/{person}"), 204)
    for token in (member_jwt, person_jwt):
        CORE.check("list-customers", httpx.get(f"{kaiten.core_url}/customers", headers={"Authorization": f"Bearer {token}"}), 403)


# ----------------------------------------------------------------------------------------------------------
# Outbox: events are the contract's webhook payloads, written with (and only with) committed changes.


def outbox(db, organization_id: str) -> dict:
    rows = db.execute(
        "SELECT id, event_name, event_type, data FROM outbox_events WHERE organization_id = %s ORDER BY occurred_at, id",
        (organization_id,),
    ).fetchall()
    return {row["id"]: row for row in rows}


def new_events(db, organization_id: str, before: dict) -> list[dict]:
    return [row for row_id, row in outbox(db, organization_id).items() if row_id not in before]


def check_event(row: dict, served_core: dict) -> dict:
    event_type = row["event_type"]
    webhooks = contract("core")["webhooks"]
    assert event_type in webhooks, f"{event_type} is not a contract event"
    assert event_type in served_core.get("webhooks", {}), f"{event_type} is emitted but not documented in our webhooks"
    payload = {"name": row["event_name"], "type": event_type, "data": row["data"]}
    schema = validator(contract_uri("core"), pointer("webhooks", event_type, "post", "requestBody", "content", "application/json", "schema"))
    errors = list(schema.iter_errors(payload))
    assert not errors, f"{event_type}: " + "; ".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors)
    return payload


def single_event(db, organization_id, before, served_core, event_type) -> dict:
    rows = new_events(db, organization_id, before)
    assert [row["event_type"] for row in rows] == [event_type], rows
    return check_event(rows[0], served_core)


def test_customer_events(core, org, db, served_core):
    organization_id = org[0]

    before = outbox(db, organization_id)
    created = CORE.check("create-customer", core.post("/customers", json={"name": "Evented", "slug": "evented", "domain": "evented.example"}), 201)
    event = single_event(db, organization_id, before, served_core, "com.kaiten.customer.v1.created")
    assert event["name"] == "CUSTOMER_CREATED" and event["data"] == created

    before = outbox(db, organization_id)
    CORE.check("update-customer", core.put("/customers/evented", json={"name": "Evented 2", "externalCustomerId": "ext-9"}), 204)
    event = single_event(db, organization_id, before, served_core, "com.kaiten.customer.v1.updated")
    current = CORE.check("get-customer", core.get("/customers/evented"), 200)
    assert event["name"] == "CUSTOMER_UPDATED" and event["data"] == current

    before = outbox(db, organization_id)
    CORE.check("delete-customer", core.delete("/customers/evented"), 204)
    event = single_event(db, organization_id, before, served_core, "com.kaiten.customer.v1.deleted")
    assert event["name"] == "CUSTOMER_DELETED"
    assert event["data"] == current, "the deleted event carries the customer as it was just before deletion"

    # Reads write nothing.
    before = outbox(db, organization_id)
    CORE.check("list-customers", core.get("/customers"), 200)
    CORE.check("get-customer", core.get("/customers/evented"), 404)
    assert new_events(db, organization_id, before) == []


def test_failed_writes_leave_no_outbox_rows(core, org, db):
    organization_id = org[0]
    CORE.check("create-customer", core.post("/customers", json={"name": "Kept", "slug": "kept"}), 201)
    before = outbox(db, organization_id)

    CORE.check("create-customer", core.post("/customers", json={"name": "Again", "slug": "kept"}), 409)
    CORE.check("create-customer", core.post("/customers", json={}), 422)
    CORE.check("create-customer", core.post("/customers", json={"name": "X", "slug": "BAD SLUG"}), 422)
    CORE.check("update-customer", core.put("/customers/kept", json={"name": "X", "slug": "other"}), 422)
    CORE.check("update-customer", core.put("/customers/no-such-customer", json={"name": "X"}), 404)
    CORE.check("delete-customer", core.delete("/customers/no-such-customer"), 404)

    assert new_events(db, organization_id, before) == [], "a refused write must not leave an event behind"
    assert CORE.check("get-customer", core.get("/customers/kept"), 200)["name"] == "Kept"


def test_platform_mint_emits_system_token_issued(org, platform_http, db, served_core):
    organization_id = org[0]
    me = PLATFORM.check("get-platform-me", platform_http.get("/platform/me"), 200)
    tokens = f"/platform/organizations/{organization_id}/tokens"

    before = outbox(db, organization_id)
    minted = PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "evented", "scopes": ["read:customers", "write:tokens"], "ttl": "1h"}), 201)
    event = single_event(db, organization_id, before, served_core, "com.kaiten.identity.v1.system_token_issued")
    data = event["data"]
    assert event["name"] == "SYSTEM_ORGANIZATION_TOKEN_ISSUED"
    assert data["credentialKind"] == "platform" and data["platformTokenId"] == me["id"]
    assert (data["issuedTokenId"], data["slug"], data["name"]) == (minted["id"], minted["slug"], "evented")
    assert data["scopes"] == minted["scopes"] == ["read:customers", "write:tokens"]
    assert data["expiresAt"] == minted["expiresAt"] and data["issuedAt"] == minted["createdAt"]
    assert minted["token"] not in json.dumps(data), "the event never carries the secret"

    before = outbox(db, organization_id)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "forever"}), 201)
    event = single_event(db, organization_id, before, served_core, "com.kaiten.identity.v1.system_token_issued")
    assert "expiresAt" not in event["data"]

    before = outbox(db, organization_id)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "bad", "scopes": ["no:such-scope"]}), 400)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "bad", "ttl": "never"}), 400)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={}), 422)
    PLATFORM.check("mint-organization-token", platform_http.post(tokens, json={"name": "evented"}), 409)
    PLATFORM.check("revoke-organization-token", platform_http.delete(f"{tokens}/{minted['slug']}"), 204)
    assert new_events(db, organization_id, before) == []


# ----------------------------------------------------------------------------------------------------------
# Coverage.


def test_every_implemented_operation_was_checked(request, served_core, kaiten):
    """Every contract operation the server documents had a success and a refusal validated above."""
    module_tests = [item for item in request.session.items if item.module is request.module and item.name != request.node.name]
    if len(module_tests) < len([name for name in dir(request.module) if name.startswith("test_")]) - 1:
        pytest.skip("only part of this module ran")
    platform_document = httpx.get(f"{kaiten.platform_url}/platform-openapi.json").json()
    missing = []
    for spec, document in (("core", served_core), ("platform", platform_document)):
        for op_id, (_, _, operation) in operations(document).items():
            if operation.get("x-kaiten-extension"):
                continue
            statuses = SEEN.get((spec, op_id), set())
            if not any(200 <= s < 300 for s in statuses) or not any(s >= 400 for s in statuses):
                missing.append(f"{spec} {op_id}: {sorted(statuses)}")
    assert not missing, "operations without a validated success and refusal:\n" + "\n".join(missing)
