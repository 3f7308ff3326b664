"""The OpenAPI documents the server serves agree with the vendored Kaiten contract on every fact.

Served operations must exist in the contract with the same path, method and operationId, parameters,
security, request body, response status codes, media types and schemas, once `$ref`s are inlined and prose
(descriptions, summaries, titles, examples) is set aside. Our own operations carry `x-kaiten-extension: true`
and must not clash with the contract. A 413 response marked the same way may be added to an operation that
takes a body, and so may a 415. Constraints the server enforces beyond the contract's are stated as keywords a
schema lists under `x-kaiten-extension-keywords`, and set aside here. Beyond that, the only differences allowed are the documented extensions listed below: each is
marked `x-kaiten-extension: true` where it is added, and must be exactly where this list says. Every contract
operation is served and routed.
"""

from __future__ import annotations

import re
import uuid

import httpx
import pytest

from openapi_contract import contract, facts, operations, resolve

SPECS = ("core", "platform")
DOCUMENT_PATHS = {"core": "openapi.json", "platform": "platform-openapi.json"}
EXTENSION = "x-kaiten-extension"

# Schema name -> properties we accept beyond the contract (an optional idempotency key of the usage report).
EXTENDED_PROPERTIES = {"ReportEntitlementUsageBody": {"transactionId"}}
# operationId -> statuses the server answers that the contract does not list (scripts/generate-openapi.py's
# STATUS_EXTENSIONS).
EXTENDED_STATUSES: dict[str, set[str]] = {
    "delete-entitlement": {"409"},
    "evaluateFlag": {"401", "403"},
    "create-deployment-zone": {"404"},
    # A blank integration or adapter name, as in Go.
    "get-customer-integration": {"400"},
    "get-instance-integration": {"400"},
    "get-customer-integration-by-external-id": {"400"},
    "get-instance-integration-by-external-id": {"400"},
}
# (operationId, status) -> response headers we send beyond the contract.
EXTENDED_HEADERS = {("reportEntitlementUsageMetric", "200"): {"Idempotent-Replayed", "Kaiten-Metadata-Dropped"}}


KEYWORD_EXTENSIONS = "x-kaiten-extension-keywords"


def without_extensions(node, found: set[str] | None = None):
    """`node` (facts) without the properties and headers marked as extensions (their names go to `found`), and
    without the keywords a schema lists under x-kaiten-extension-keywords: constraints the server enforces that
    the contract does not state."""
    if isinstance(node, list):
        return [without_extensions(item, found) for item in node]
    if not isinstance(node, dict):
        return node
    added_keywords = set(node.get(KEYWORD_EXTENSIONS, []))
    out = {}
    for key, value in node.items():
        if key == KEYWORD_EXTENSIONS or key in added_keywords:
            continue
        if key in ("properties", "headers") and isinstance(value, dict):
            kept = {}
            for name, sub in value.items():
                if isinstance(sub, dict) and sub.get(EXTENSION) is True:
                    if found is not None:
                        found.add(name)
                    continue
                kept[name] = without_extensions(sub, found)
            if kept or key == "properties":
                out[key] = kept
        else:
            out[key] = without_extensions(value, found)
    return out


@pytest.fixture(scope="module")
def served(kaiten) -> dict[str, dict]:
    documents = {}
    for spec, base in (("core", kaiten.core_url), ("platform", kaiten.platform_url)):
        response = httpx.get(f"{base}/{DOCUMENT_PATHS[spec]}")
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        documents[spec] = response.json()
    return documents


def contract_operations(spec: str) -> dict[str, tuple[str, str, dict]]:
    return operations(contract(spec))


def served_operations(document: dict, *, extensions: bool | None = None) -> dict[str, tuple[str, str, dict]]:
    found = operations(document)
    if extensions is None:
        return found
    return {op_id: entry for op_id, entry in found.items() if bool(entry[2].get(EXTENSION)) == extensions}


def served_operation_ids(spec: str) -> list[str]:
    """For parametrization: read the generated document from the sources (the server serves the same)."""
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "Sources" / "KaitenApp" / "Resources" / DOCUMENT_PATHS[spec]
    return sorted(operations(json.loads(path.read_text())))


# ----------------------------------------------------------------------------------------------------------
# Document level.


@pytest.mark.parametrize("spec", SPECS)
def test_document_header(served, spec):
    document, reference = served[spec], contract(spec)
    assert document["openapi"] == reference["openapi"]
    assert document["info"]["title"] == reference["info"]["title"]
    assert document["info"]["version"] == "1.0.0"
    assert document["servers"] == [{"url": "/api"}]
    assert document["security"] == reference["security"]


@pytest.mark.parametrize("spec", SPECS)
def test_security_schemes_match(served, spec):
    document, reference = served[spec], contract(spec)
    assert facts(document, document["components"]["securitySchemes"]) == facts(
        reference, reference["components"]["securitySchemes"]
    )


@pytest.mark.parametrize("spec", SPECS)
def test_component_schemas_match(served, spec):
    """Every schema the document carries is the contract's schema of that name, fact for fact."""
    document, reference = served[spec], contract(spec)
    schemas = document["components"]["schemas"]
    unknown = sorted(set(schemas) - set(reference["components"]["schemas"]))
    assert not unknown, f"schemas not in the contract: {unknown}"
    for name, schema in schemas.items():
        extended: set[str] = set()
        assert without_extensions(facts(document, schema), extended) == facts(reference, reference["components"]["schemas"][name]), name
        assert extended == EXTENDED_PROPERTIES.get(name, set()), f"{name}: undocumented extension properties {extended}"
        for property_name in extended:
            extension = schema["properties"][property_name]
            assert extension.get("description"), f"{name}.{property_name} is described"
            assert property_name not in schema.get("required", []), f"{name}.{property_name} stays optional"


def test_documented_extensions_are_served(served):
    """The extensions the comparisons allow are really in the document, not merely tolerated."""
    document = served["core"]
    for name, properties in EXTENDED_PROPERTIES.items():
        assert properties <= set(document["components"]["schemas"][name]["properties"]), name
    for (op_id, status), headers in EXTENDED_HEADERS.items():
        _, _, operation = served_operations(document)[op_id]
        served_headers = operation["responses"][status].get("headers", {})
        assert headers <= set(served_headers), (op_id, status)
        assert all(served_headers[h].get(EXTENSION) is True and served_headers[h].get("description") for h in headers)


@pytest.mark.parametrize("spec", SPECS)
def test_no_dangling_references(served, spec):
    document = served[spec]
    text = repr(document)
    for name in set(re.findall(r"#/components/schemas/([A-Za-z0-9_.-]+)", text)):
        assert name in document["components"]["schemas"], f"dangling reference to {name}"


@pytest.mark.parametrize("spec", SPECS)
def test_prose_is_our_own(served, spec):
    """No description or summary is copied from the contract: the facts carry over, the wording does not."""

    def prose(node, found):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("description", "summary") and isinstance(value, str):
                    found.add(value.strip())
                prose(value, found)
        elif isinstance(node, list):
            for value in node:
                prose(value, found)
        return found

    copied = prose(served[spec], set()) & prose(contract(spec), set())
    assert not copied, f"texts copied from the contract: {sorted(copied)}"


@pytest.mark.parametrize("spec", SPECS)
def test_every_served_operation_is_checked(served, spec):
    """The per-operation tests are parametrized from the generated files in Sources/; the server must serve
    exactly those operations (otherwise the binary is stale, or the files were edited by hand)."""
    served_ids = set(served_operations(served[spec]))
    assert served_ids == set(served_operation_ids(spec)), (
        "the served document differs from Sources/KaitenApp/Resources: regenerate with "
        "scripts/generate-openapi.py and rebuild"
    )
    reference = contract_operations(spec)
    for op_id, (_, _, operation) in served_operations(served[spec]).items():
        assert op_id in reference or operation.get(EXTENSION), f"{op_id} is neither a contract operation nor marked {EXTENSION}"


@pytest.mark.parametrize("spec", SPECS)
def test_every_contract_operation_is_served(served, spec):
    """Every operation of the contract is in the served document, which test_served_operation_is_routed then
    finds routed, and test_operation_matches_contract finds of the contract's shape."""
    missing = sorted(set(contract_operations(spec)) - set(served_operations(served[spec])))
    assert not missing, f"contract operations the server does not serve: {missing}"


def test_core_webhooks_match(served):
    document, reference = served["core"], contract("core")
    webhooks = document.get("webhooks", {})
    assert webhooks, "the core document lists the events this server emits"
    unknown = sorted(set(webhooks) - set(reference["webhooks"]))
    assert not unknown, f"webhooks not in the contract: {unknown}"
    for event_type, item in webhooks.items():
        assert without_extensions(facts(document, item)) == facts(reference, reference["webhooks"][event_type]), event_type


@pytest.mark.parametrize("spec", SPECS)
def test_extensions_do_not_clash_with_the_contract(served, spec):
    reference = contract_operations(spec)
    reference_routes = {(path, method) for path, method, _ in reference.values()}
    for op_id, (path, method, operation) in served_operations(served[spec], extensions=True).items():
        assert op_id not in reference, f"{op_id} is a contract operation marked as an extension"
        assert (path, method) not in reference_routes, f"{method.upper()} {path} is a contract route"
        assert operation.get("summary") and operation.get("description")


# ----------------------------------------------------------------------------------------------------------
# Operation level.


def _pairs(spec):
    return [(spec, op_id) for op_id in served_operation_ids(spec)]


@pytest.mark.parametrize("spec,op_id", _pairs("core") + _pairs("platform"))
def test_operation_matches_contract(served, spec, op_id):
    document, reference = served[spec], contract(spec)
    path, method, operation = served_operations(document)[op_id]
    assert operation.get("summary") and operation.get("description"), "every operation is described"
    if operation.get(EXTENSION):
        # Our own operation: documented completely; public (the probes and the edge check) or behind one of
        # the scopes the contract reserves (the webhook management API).
        security = operation.get("security")
        scopes = set(reference["components"]["securitySchemes"]["bearerAuth"].get("x-kaiten-scopes", []))
        assert security == [] or (
            len(security) == 1 and list(security[0]) == ["bearerAuth"] and set(security[0]["bearerAuth"]) <= scopes
            and len(security[0]["bearerAuth"]) == 1
        ), f"{op_id} is public or needs one contract scope"
        assert operation["responses"], f"{op_id} documents its responses"
        for status, response in operation["responses"].items():
            assert response.get("description"), f"response {status} is described"
            for media in response.get("content", {}).values():
                assert "schema" in media
        return
    reference_ops = contract_operations(spec)
    assert op_id in reference_ops, f"{op_id} is not a contract operation"
    reference_path, reference_method, expected = reference_ops[op_id]
    assert (method, path) == (reference_method, reference_path)

    # Parameters: name, location, required, style and schema.
    def parameters(doc, op):
        return {(p["name"], p["in"]): facts(doc, p) for p in (resolve(doc, p) for p in op.get("parameters", []))}

    assert without_extensions(parameters(document, operation)) == parameters(reference, expected)

    assert operation.get("security") == expected.get("security")
    assert operation.get("tags") == expected.get("tags")

    # Request body, set aside the extension properties of the schemas it uses (checked schema by schema).
    assert ("requestBody" in operation) == ("requestBody" in expected)
    if "requestBody" in expected:
        extended: set[str] = set()
        assert without_extensions(facts(document, operation["requestBody"]), extended) == facts(reference, expected["requestBody"])
        assert extended <= set().union(*EXTENDED_PROPERTIES.values()), f"undocumented extension properties {extended}"

    # Responses: the same codes (plus our own 413 for a body), media types, headers and schemas.
    responses = dict(operation["responses"])
    added = {status for status, r in responses.items() if r.get(EXTENSION)}
    allowed = ({"413", "415"} if "requestBody" in expected else set()) | EXTENDED_STATUSES.get(op_id, set())
    assert added <= allowed, f"unexpected extra responses {added}"
    for status in added:
        assert set(responses[status]["content"]) == {"application/problem+json"}
        del responses[status]
    assert set(responses) == set(expected["responses"])
    for status, response in responses.items():
        assert response.get("description"), f"response {status} is described"
        extended: set[str] = set()
        stripped = without_extensions(facts(document, response), extended)
        assert stripped == facts(reference, expected["responses"][status]), f"response {status}"
        headers = set(response.get("headers", {})) & extended
        assert headers == EXTENDED_HEADERS.get((op_id, status), set()), f"response {status}: undocumented extension headers {headers}"

    # And nothing else differs either (operation-level keys such as `deprecated` or extensions).
    served_copy = {**operation, "responses": responses}
    assert without_extensions(facts(document, served_copy)) == facts(reference, expected)


# ----------------------------------------------------------------------------------------------------------
# Routing: the documents and the routers agree.

ROUTER_CODES = {"NOT_FOUND", "METHOD_NOT_ALLOWED"}


def concrete(path: str) -> str:
    """A path with every template filled by a value that names nothing."""

    def value(match):
        name = match.group(1)
        if name in ("orgId", "userId", "id"):
            return str(uuid.uuid4())
        return f"zz-absent-{uuid.uuid4().hex[:8]}"

    return re.sub(r"\{([^}]+)\}", value, path)


def probe(base: str, path: str, method: str, token: str | None, with_body: bool) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    kwargs = {"json": {}} if with_body else {}
    return httpx.request(method.upper(), base + concrete(path), headers=headers, timeout=30, **kwargs)


def is_unrouted(response: httpx.Response) -> bool:
    if response.status_code not in (404, 405):
        return False
    try:
        return response.json().get("code") in ROUTER_CODES
    except ValueError:
        return True


@pytest.fixture(scope="module")
def credentials(kaiten, platform):
    """A write:* token of an organization of its own, and the platform token."""
    org = platform.organizations.ensure(external_id=f"org_routes_{uuid.uuid4().hex[:8]}", name="Routing probe")
    minted = platform.tokens.mint(org.id, name="routing-probe")
    return {"core": minted.token, "platform": kaiten.platform_token}


def bases(kaiten):
    return {"core": kaiten.core_url, "platform": kaiten.platform_url}


@pytest.mark.parametrize("spec,op_id", _pairs("core") + _pairs("platform"))
def test_served_operation_is_routed(kaiten, served, credentials, spec, op_id):
    path, method, operation = served_operations(served[spec])[op_id]
    base = bases(kaiten)[spec]
    with_body = "requestBody" in operation
    authorized = probe(base, path, method, credentials[spec], with_body)
    assert not is_unrouted(authorized), f"{method.upper()} {path} is not routed: {authorized.status_code} {authorized.text}"
    assert authorized.status_code < 500, authorized.text
    assert str(authorized.status_code) in operation["responses"], (
        f"{method.upper()} {path} answered an undocumented {authorized.status_code}: {authorized.text}"
    )

    anonymous = probe(base, path, method, None, with_body)
    assert not is_unrouted(anonymous)
    if operation.get("security", served[spec].get("security")):
        assert anonymous.status_code == 401, f"{op_id} without a credential: {anonymous.status_code} {anonymous.text}"
        assert anonymous.headers["content-type"].startswith("application/problem+json")
    else:
        assert anonymous.status_code != 403

