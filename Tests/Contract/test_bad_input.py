"""What a client can send that the SDK never would: raw HTTP against the Core API.

Every refusal must be a 4xx RFC 9457 problem with a stable code, and must leave nothing behind.
"""

from __future__ import annotations

import json

import pytest

ONE_MIB = 1024 * 1024


@pytest.fixture
def http(organization, core_http):
    """A raw client on a fresh organization, holding one customer ("existing") to aim updates at."""
    _, token = organization
    client = core_http(token)
    response = client.post(
        "customers", json={"name": "Existing", "slug": "existing", "externalCustomerId": "crm-1", "domain": "existing.example"}
    )
    assert response.status_code == 201, response.text
    return client


@pytest.fixture
def nothing_written(http, organization, outbox_events):
    """Snapshot the organization's customers and outbox, then check after the test that neither moved."""
    org, _ = organization
    customers = http.get("customers", params={"limit": 200}).json()
    events = outbox_events(org.id)
    yield
    assert http.get("customers", params={"limit": 200}).json() == customers
    assert outbox_events(org.id) == events


def post_raw(http, path: str, body: bytes | str, content_type: str = "application/json"):
    if isinstance(body, str):
        body = body.encode()
    return http.post(path, content=body, headers={"Content-Type": content_type})


def locations(problem: dict) -> list[str]:
    return [e.get("location") for e in problem.get("errors") or []]


# --- media types --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/octet-stream",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
        "text/json",
        "application/jsonx",
        "application/+json",
        "json",
        "",
    ],
)
def test_a_body_declared_as_anything_but_json_is_415(http, content_type, assert_problem, nothing_written):
    response = post_raw(http, "customers", '{"name":"Declared wrong"}', content_type)
    problem = assert_problem(response, 415, "Request.UnsupportedMediaType")
    assert response.headers.get("accept") == "application/json"
    assert problem["instance"] == "/api/customers"
    # The same on a replacement, and before anything else is looked at (the customer does not exist).
    assert_problem(http.put("customers/nobody", content=b'{"name":"x"}', headers={"Content-Type": content_type}), 415, "Request.UnsupportedMediaType")
    assert_problem(http.put("customers/existing", content=b"not even json", headers={"Content-Type": content_type}), 415)


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON;charset=UTF-8", "application/merge-patch+json", "application/vnd.kaiten+json"],
)
def test_json_media_types_with_parameters_are_read(http, content_type):
    response = post_raw(http, "customers", '{"name":"Declared right"}', content_type)
    assert response.status_code == 201, response.text


def test_a_body_without_content_type_is_read_as_json_and_bodiless_operations_need_none(http):
    response = http.post("customers", content=b'{"name":"Undeclared"}')
    assert response.status_code == 201, response.text
    slug = response.json()["slug"]
    assert http.get(f"customers/{slug}").status_code == 200
    assert http.delete(f"customers/{slug}").status_code == 204


# --- creates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    ['{"name":', "{name: 'x'}", '{"name":"x",}', '{"name":"x",,}', "not json", '{"name":"x"} trailing', "\xff\xfe"],
    ids=["truncated", "js-object", "trailing-comma", "double-comma", "text", "trailing-data", "bad-utf8"],
)
def test_malformed_json_is_400(http, body, assert_problem, nothing_written):
    raw = body.encode("latin-1") if body == "\xff\xfe" else body.encode()
    problem = assert_problem(post_raw(http, "customers", raw), 400, "Request.MalformedJSON")
    assert problem["instance"] == "/api/customers"


def test_unknown_field_is_422_at_its_location(http, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json={"name": "x", "bogus": 1}), 422, "UNPROCESSABLE")
    assert locations(problem) == ["body.bogus"]


@pytest.mark.parametrize("field", ["id", "createdAt", "createdBy", "updatedAt", "updatedBy"])
def test_read_only_fields_are_refused(http, field, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json={"name": "x", field: "2026-01-01T00:00:00Z"}), 422, "UNPROCESSABLE")
    assert locations(problem) == [f"body.{field}"]


@pytest.mark.parametrize(
    "body, location",
    [
        ({"name": 5}, "body.name"),
        ({"name": None}, "body.name"),
        ({"name": ["x"]}, "body.name"),
        ({"name": "x", "slug": 12}, "body.slug"),
        ({"name": "x", "externalCustomerId": 5}, "body.externalCustomerId"),
        ({"name": "x", "domain": True}, "body.domain"),
        ({"name": "x", "integrations": "nope"}, "body.integrations"),
    ],
)
def test_wrong_types_are_422(http, body, location, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json=body), 422, "UNPROCESSABLE")
    assert location in locations(problem)


def test_missing_required_field_is_422(http, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json={"slug": "no-name"}), 422, "UNPROCESSABLE")
    assert locations(problem) == ["body.name"]


@pytest.mark.parametrize(
    "body, location",
    [
        ({"name": "n" * 256}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "x", "externalCustomerId": "e" * 256}, "body.externalCustomerId"),
        ({"name": "x", "slug": "s" * 101}, "body.slug"),
    ],
    ids=["name-256", "name-empty", "external-id-256", "slug-101"],
)
def test_length_limits_are_422(http, body, location, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json=body), 422, "UNPROCESSABLE")
    assert locations(problem) == [location]


@pytest.mark.parametrize(
    "slug", ["Upper", "under_score", "-leading", "trailing-", "a", "spa ce", "dot.ted", "ünï", "a/b"]
)
def test_bad_slugs_are_422(http, slug, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json={"name": "x", "slug": slug}), 422, "UNPROCESSABLE")
    assert locations(problem) == ["body.slug"]


@pytest.mark.parametrize("domain", ["nodot", "UPPER.com", "has space.com", ".leading.com", "trailing."])
def test_bad_domains_are_422(http, domain, assert_problem, nothing_written):
    problem = assert_problem(http.post("customers", json={"name": "x", "domain": domain}), 422, "UNPROCESSABLE")
    assert locations(problem) == ["body.domain"]


def test_boundary_lengths_are_accepted(http):
    response = http.post("customers", json={"name": "n" * 255, "slug": "s" * 100, "externalCustomerId": "e" * 255})
    assert response.status_code == 201, response.text
    assert response.json()["slug"] == "s" * 100


@pytest.mark.parametrize(
    "body, status",
    [(b"", 400), (b"[]", 422), (b"null", 422), (b'"string"', 422), (b"42", 422), (b"{}", 422)],
    ids=["empty", "array", "null", "string", "number", "empty-object"],
)
def test_non_object_bodies_are_refused(http, body, status, assert_problem, nothing_written):
    assert_problem(post_raw(http, "customers", body), status)


def test_oversized_body_is_413(http, assert_problem, nothing_written):
    body = json.dumps({"name": "big", "externalCustomerId": "x" * (ONE_MIB + 10)})
    assert len(body) > ONE_MIB
    assert_problem(post_raw(http, "customers", body), 413, "Request.BodyTooLarge")


def test_oversized_body_is_413_on_update_too(http, assert_problem, nothing_written):
    body = json.dumps({"name": "n" * (2 * ONE_MIB)})
    response = http.put("customers/existing", content=body.encode(), headers={"Content-Type": "application/json"})
    assert_problem(response, 413, "Request.BodyTooLarge")


# --- updates ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, status, code",
    [
        ({"name": "x", "bogus": True}, 422, "UNPROCESSABLE"),
        ({"name": 1}, 422, "UNPROCESSABLE"),
        ({"name": "x", "domain": "nodot"}, 422, "UNPROCESSABLE"),
        ({"name": "x", "slug": "renamed"}, 422, "UpdateCustomer.SlugNotRenameable"),
        ({"name": "x", "integrations": {"attio": {"external_id": "rec-1"}}}, 422, "UpdateCustomer.IntegrationsNotSettable"),
        ({"name": "x", "createdAt": "2020-01-01T00:00:00Z"}, 422, "UNPROCESSABLE"),
        ({}, 422, "UNPROCESSABLE"),
    ],
    ids=["unknown", "type", "domain", "slug-rename", "integrations", "read-only", "empty"],
)
def test_bad_updates_change_nothing(http, body, status, code, assert_problem, nothing_written):
    assert_problem(http.put("customers/existing", json=body), status, code)


def test_malformed_update_is_400(http, assert_problem, nothing_written):
    response = http.put("customers/existing", content=b'{"name": "x"', headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "Request.MalformedJSON")


# --- pagination ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["0", "201", "-1", "abc", "1.5", "99999999999999999999"])
def test_limit_outside_1_to_200_is_422(http, limit, assert_problem):
    problem = assert_problem(http.get("customers", params={"limit": limit}), 422, "UNPROCESSABLE")
    assert locations(problem) == ["query.limit"]


@pytest.mark.parametrize("limit", ["1", "200"])
def test_limit_bounds_are_accepted(http, limit):
    response = http.get("customers", params={"limit": limit})
    assert response.status_code == 200
    assert len(response.json()["items"]) == 1


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "!!!",
        "eyJpZCI6Im5vdC1hLXV1aWQifQ",  # {"id":"not-a-uuid"}
        "eyJjcmVhdGVkQXQiOiJ4IiwiaWQiOiJ5In0",  # {"createdAt":"x","id":"y"}
        "W10",  # []
        "é☃",
    ],
)
def test_bad_cursors_are_400(http, cursor, assert_problem):
    problem = assert_problem(http.get("customers", params={"cursor": cursor}), 400, "Pagination.InvalidCursor")
    assert locations(problem) == ["query.cursor"]


def test_bad_cursor_on_service_accounts_too(http, assert_problem):
    assert_problem(http.get("service-accounts", params={"cursor": "garbage"}), 400, "Pagination.InvalidCursor")
    assert_problem(http.get("service-accounts", params={"limit": 0}), 422, "UNPROCESSABLE")


# --- service accounts and tokens ----------------------------------------------------------------------------


def test_bad_service_account_and_token_bodies(http, assert_problem, nothing_written):
    assert_problem(http.post("service-accounts", json={"name": "x", "tokens": []}), 422, "UNPROCESSABLE")
    assert_problem(http.post("service-accounts", json={"name": ""}), 422, "UNPROCESSABLE")
    assert_problem(post_raw(http, "service-accounts", "{"), 400, "Request.MalformedJSON")
    sa = http.post("service-accounts", json={"name": "Valid"}).json()["slug"]
    assert_problem(http.post(f"service-accounts/{sa}/tokens", json={"name": "t", "scopes": "read:customers"}), 422, "UNPROCESSABLE")
    assert_problem(http.post(f"service-accounts/{sa}/tokens", json={"name": "t", "scopes": ["nope"]}), 400, "Token.InvalidScopes")
    assert_problem(http.post(f"service-accounts/{sa}/tokens", json={"name": "t", "token": "ksh_x"}), 422, "UNPROCESSABLE")
    assert_problem(http.put(f"service-accounts/{sa}", json={"name": "x", "slug": "other"}), 422)
    listed = http.get(f"service-accounts/{sa}/tokens").json()
    assert listed == {"items": [], "hasMore": False}
    assert http.get(f"service-accounts/{sa}").json()["name"] == "Valid"


# --- no 5xx, whatever is sent -------------------------------------------------------------------------------

ODD_REQUESTS = [
    ("POST", "customers", b"", "application/json"),
    ("POST", "customers", b"[]", "application/json"),
    ("POST", "customers", b"null", "application/json"),
    ("POST", "customers", b"true", "application/json"),
    ("POST", "customers", b"[" * 5000 + b"]" * 5000, "application/json"),
    ("POST", "customers", b'{"name":"x","a":' + b"[" * 5000 + b"]" * 5000 + b"}", "application/json"),
    ("POST", "customers", b'{"name":1e999}', "application/json"),
    ("POST", "customers", b'{"name":"\\ud800"}', "application/json"),
    ("POST", "customers", b'{"name":"x\\u0000y"}', "application/json"),
    ("POST", "customers", b'{"name":"ok","slug":"x\\u0000y"}', "application/json"),
    ("POST", "customers", '{"name":"\u05d0\u05d1 \U0001f600 e\u0301 \u202e"}'.encode(), "application/json"),
    ("POST", "customers", b'{"name":"x"}', "text/plain"),
    ("POST", "customers", b"name=x", "application/x-www-form-urlencoded"),
    ("POST", "customers", b'\xef\xbb\xbf{"name":"bom"}', "application/json"),
    ("PUT", "customers/existing", b"", "application/json"),
    ("PUT", "customers/existing", b"[]", "application/json"),
    ("PUT", "customers/existing", b"null", "application/json"),
    ("PUT", "customers/existing", b'{"name":"x\\u0000y"}', "application/json"),
    ("DELETE", "customers/existing-not", b'{"junk":', "application/json"),
    ("PATCH", "customers/existing", b"{}", "application/json"),
    ("GET", "customers/" + "a" * 8000, None, None),
    ("GET", "customers/" + "%F0%9F%98%80" * 500, None, None),
    ("PUT", "customers/" + "b" * 8000, b'{"name":"x"}', "application/json"),
    ("DELETE", "customers/" + "c" * 8000, None, None),
    ("GET", "customers/%00", None, None),
    ("GET", "customers/..%2F..%2Fetc%2Fpasswd", None, None),
    ("GET", "customers/%ZZ", None, None),
    ("GET", "customers?limit=5&limit=7", None, None),
    ("GET", "customers?cursor=" + "A" * 4000, None, None),
    ("GET", "customers?cursor=%00", None, None),
    ("GET", "service-accounts/" + "d" * 8000 + "/tokens", None, None),
    ("POST", "service-accounts", b'{"name":"\\u0000"}', "application/json"),
    ("POST", "service-accounts/nope/tokens", b'{"name":"t","expiresAt":"yesterday"}', "application/json"),
    ("POST", "service-accounts/nope/tokens", b'{"name":"t","scopes":[null]}', "application/json"),
    ("DELETE", "service-accounts/nope/tokens/" + "e" * 8000, None, None),
    ("GET", "tokens/validate", None, None),
    ("OPTIONS", "customers", None, None),
    ("HEAD", "customers", None, None),
    ("GET", "", None, None),
    ("GET", "does/not/exist", None, None),
]


@pytest.mark.parametrize(
    "method, path, body, content_type",
    ODD_REQUESTS,
    ids=[f"{m} {p[:40]} {(b or b'')[:20]!r}" for m, p, b, _ in ODD_REQUESTS],
)
def test_odd_requests_never_5xx(http, method, path, body, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = http.request(method, path, content=body, headers=headers)
    assert response.status_code < 500, f"{response.status_code}: {response.text[:300]}"
    if response.status_code >= 400 and method != "HEAD":
        assert response.headers.get("content-type", "").startswith("application/problem+json"), response.headers
        assert response.json().get("code")
