"""Customers through the SDK's KaitenClient: CRUD, pagination, errors, tenancy and the outbox."""

from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import ConflictError, NotFoundError, UnprocessableEntityError

AUTO_SLUG = re.compile(r"^(?P<base>[a-z0-9-]+)-(?P<hex>[0-9a-f]{6})$")
SYSTEM_USER = "00000000-0000-0000-0000-000000000001"


def test_create_generates_a_slug_from_the_name(client):
    before = datetime.now(timezone.utc) - timedelta(seconds=5)
    customer = client.customers.create(name="Acme Corp")

    match = AUTO_SLUG.match(customer.slug or "")
    assert match, customer.slug
    assert match["base"] == "acme-corp"
    uuid.UUID(customer.id)
    assert customer.name == "Acme Corp"
    assert customer.external_customer_id is None
    assert customer.domain is None
    assert before <= customer.created_at <= datetime.now(timezone.utc) + timedelta(seconds=5)
    assert customer.updated_at == customer.created_at
    # Minted organization tokens act as system:kaiten.
    assert customer.created_by.id == SYSTEM_USER
    assert customer.updated_by.id == SYSTEM_USER


def test_two_customers_with_the_same_name_get_distinct_slugs(client):
    first = client.customers.create(name="Same Name")
    second = client.customers.create(name="Same Name")
    assert first.slug != second.slug
    assert AUTO_SLUG.match(first.slug)["base"] == AUTO_SLUG.match(second.slug)["base"] == "same-name"


def test_slug_generation_transliterates(client):
    customer = client.customers.create(name="Crème Brûlée & Søn's")
    assert AUTO_SLUG.match(customer.slug)["base"] == "creme-brulee-sons"


def test_create_with_explicit_slug_and_details(client):
    customer = client.customers.create(
        name="Globex", slug="globex", external_customer_id="crm-42", domain="globex.example.com"
    )
    assert customer.slug == "globex"
    assert customer.external_customer_id == "crm-42"
    assert customer.domain == "globex.example.com"

    fetched = client.customers.get("globex")
    assert fetched.id == customer.id
    assert fetched.model_dump() == customer.model_dump()


def test_create_with_a_taken_slug_is_a_conflict(client):
    client.customers.create(name="Initech", slug="initech")
    with pytest.raises(ConflictError) as caught:
        client.customers.create(name="Initech again", slug="initech")
    assert caught.value.status_code == 409
    assert caught.value.code == "CreateCustomer.SlugConflict"
    assert caught.value.error_id
    assert [c.name for c in client.customers.list()] == ["Initech"]


def test_get_unknown_customer_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.customers.get("does-not-exist")
    assert caught.value.code == "GetCustomer.NotFound"
    assert caught.value.error_id
    uuid.UUID(caught.value.error_id)


def test_update_is_a_full_replacement(client):
    created = client.customers.create(
        name="Umbrella", slug="umbrella", external_customer_id="crm-7", domain="umbrella.example"
    )
    client.customers.update("umbrella", name="Umbrella Corp", domain="umbrella.example")
    updated = client.customers.get("umbrella")
    assert updated.name == "Umbrella Corp"
    assert updated.domain == "umbrella.example"
    assert updated.external_customer_id is None  # omitted: cleared
    assert updated.slug == "umbrella"
    assert updated.id == created.id
    assert updated.created_at == created.created_at
    assert updated.updated_at >= created.updated_at

    client.customers.update("umbrella", name="Umbrella Corp")
    cleared = client.customers.get("umbrella")
    assert cleared.domain is None
    assert cleared.external_customer_id is None


def test_update_returns_no_body(client, kaiten, organization, core_http):
    client.customers.create(name="Quiet", slug="quiet")
    response = core_http(organization[1]).put("customers/quiet", json={"name": "Quieter"})
    assert response.status_code == 204
    assert response.content == b""


def test_update_unknown_customer_is_not_found(client):
    with pytest.raises(NotFoundError) as caught:
        client.customers.update("does-not-exist", name="Nobody")
    assert caught.value.code == "UpdateCustomer.NotFound"
    assert caught.value.error_id


def test_update_cannot_rename_the_slug(client, organization, core_http, assert_problem):
    client.customers.create(name="Fixed", slug="fixed-slug")
    http = core_http(organization[1])
    response = http.put("customers/fixed-slug", json={"name": "Fixed", "slug": "other-slug"})
    assert_problem(response, 422, "UpdateCustomer.SlugNotRenameable")
    # Echoing the current slug is allowed.
    assert http.put("customers/fixed-slug", json={"name": "Fixed 2", "slug": "fixed-slug"}).status_code == 204
    assert client.customers.get("fixed-slug").name == "Fixed 2"
    with pytest.raises(NotFoundError):
        client.customers.get("other-slug")


def test_update_with_an_invalid_field_is_unprocessable(client):
    client.customers.create(name="Valid", slug="valid-one", domain="valid.example")
    with pytest.raises(UnprocessableEntityError) as caught:
        client.customers.update("valid-one", name="Valid", domain="not a domain")
    assert caught.value.code == "UNPROCESSABLE"
    assert caught.value.error_id
    assert any(e.location == "body.domain" for e in caught.value.errors)
    assert client.customers.get("valid-one").domain == "valid.example"


def test_delete(client):
    client.customers.create(name="Short Lived", slug="short-lived")
    keep = client.customers.create(name="Keeper")
    client.customers.delete("short-lived")
    with pytest.raises(NotFoundError):
        client.customers.get("short-lived")
    assert [c.slug for c in client.customers.list()] == [keep.slug]
    with pytest.raises(NotFoundError) as caught:
        client.customers.delete("short-lived")
    assert caught.value.code == "DeleteCustomer.NotFound"
    assert caught.value.error_id


def test_a_deleted_slug_can_be_reused(client):
    first = client.customers.create(name="Phoenix", slug="phoenix")
    client.customers.delete("phoenix")
    second = client.customers.create(name="Phoenix", slug="phoenix")
    assert second.id != first.id


def test_create_with_invalid_input_is_unprocessable(client):
    with pytest.raises(UnprocessableEntityError) as caught:
        client.customers.create(name="Bad Slug", slug="Not_A_Slug")
    assert caught.value.code == "UNPROCESSABLE"
    assert caught.value.error_id
    assert [e.location for e in caught.value.errors] == ["body.slug"]

    with pytest.raises(UnprocessableEntityError) as caught:
        client.customers.create(name="x" * 256)
    assert [e.location for e in caught.value.errors] == ["body.name"]
    assert client.customers.list() == []


def test_pages_walk_newest_first_with_limit(client, organization, core_http):
    created = [client.customers.create(name=f"Paged {i:02d}") for i in range(12)]
    http = core_http(organization[1])

    pages, cursor = [], None
    while True:
        params = {"limit": 5, **({"cursor": cursor} if cursor else {})}
        response = http.get("customers", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].startswith("application/json")
        page = response.json()
        assert set(page) <= {"items", "hasMore", "nextCursor"}
        pages.append(page)
        if not page["hasMore"]:
            assert "nextCursor" not in page  # absent, not null, on the last page
            break
        assert isinstance(page["nextCursor"], str) and page["nextCursor"]
        cursor = page["nextCursor"]

    assert [len(p["items"]) for p in pages] == [5, 5, 2]
    assert [p["hasMore"] for p in pages] == [True, True, False]
    items = [item for p in pages for item in p["items"]]
    assert len({item["id"] for item in items}) == 12
    assert {item["id"] for item in items} == {c.id for c in created}
    # Newest first: created_at DESC, id DESC.
    keys = [(item["createdAt"], item["id"]) for item in items]
    assert keys == sorted(keys, reverse=True)
    assert [c.created_at for c in created] == sorted(c.created_at for c in created)

    # The SDK's list() walks every page itself.
    listed = client.customers.list()
    assert [c.id for c in listed] == [item["id"] for item in items]


def test_default_page_size_is_50_and_max_is_200(client, organization, core_http):
    for i in range(52):
        client.customers.create(name=f"Bulk {i}")
    http = core_http(organization[1])

    default = http.get("customers").json()
    assert len(default["items"]) == 50
    assert default["hasMore"] is True
    rest = http.get("customers", params={"cursor": default["nextCursor"]}).json()
    assert len(rest["items"]) == 2 and rest["hasMore"] is False

    everything = http.get("customers", params={"limit": 200}).json()
    assert len(everything["items"]) == 52
    assert everything["hasMore"] is False and "nextCursor" not in everything
    assert len(client.customers.list()) == 52


def test_empty_list(client, organization, core_http):
    response = core_http(organization[1]).get("customers")
    assert response.status_code == 200
    assert response.json() == {"items": [], "hasMore": False}
    assert client.customers.list() == []


def test_another_organization_sees_nothing(client, platform, core_client, core_http, assert_problem):
    mine = client.customers.create(name="Private", slug="private-customer")

    other_org = platform.organizations.ensure(external_id=f"org_{uuid.uuid4().hex[:12]}")
    other_token = platform.tokens.mint(other_org.id, name="other").token
    other = core_client(other_token)

    assert other.customers.list() == []
    with pytest.raises(NotFoundError) as caught:
        other.customers.get("private-customer")
    assert caught.value.code == "GetCustomer.NotFound"

    http = core_http(other_token)
    assert_problem(http.put("customers/private-customer", json={"name": "Hijacked"}), 404, "UpdateCustomer.NotFound")
    assert_problem(http.delete("customers/private-customer"), 404, "DeleteCustomer.NotFound")

    # The same slug is free in the other organization.
    theirs = other.customers.create(name="Their own", slug="private-customer")
    assert theirs.id != mine.id

    still_mine = client.customers.get("private-customer")
    assert still_mine.name == "Private" and still_mine.id == mine.id
    assert [c.id for c in client.customers.list()] == [mine.id]


def test_every_mutation_writes_an_outbox_event(client, organization, outbox_events, core_http):
    org, _ = organization
    baseline = outbox_events(org.id)
    # Minting the fixture's token was recorded too.
    assert [e["name"] for e in baseline] == ["SYSTEM_ORGANIZATION_TOKEN_ISSUED"]
    assert baseline[0]["type"] == "com.kaiten.identity.v1.system_token_issued"

    http = core_http(organization[1])
    created = client.customers.create(name="Evented", slug="evented", external_customer_id="crm-1")
    created_json = http.get("customers/evented").json()
    client.customers.update("evented", name="Evented 2", domain="evented.example")
    updated_json = http.get("customers/evented").json()
    client.customers.delete("evented")

    events = outbox_events(org.id)[1:]
    assert [(e["name"], e["type"]) for e in events] == [
        ("CUSTOMER_CREATED", "com.kaiten.customer.v1.created"),
        ("CUSTOMER_UPDATED", "com.kaiten.customer.v1.updated"),
        ("CUSTOMER_DELETED", "com.kaiten.customer.v1.deleted"),
    ]
    created_data, updated_data, deleted_data = (e["data"] for e in events)
    # data is the Customer JSON the API serves.
    assert created_data == created_json
    assert created_data["id"] == created.id and created_data["externalCustomerId"] == "crm-1"
    assert updated_data == updated_json
    assert updated_data["name"] == "Evented 2" and updated_data["domain"] == "evented.example"
    assert updated_data.get("externalCustomerId") is None
    # DELETED carries the state before the delete.
    assert deleted_data == updated_json


def test_failed_mutations_write_no_outbox_event(client, organization, outbox_events):
    org, _ = organization
    client.customers.create(name="Taken", slug="taken")
    count = len(outbox_events(org.id))
    with pytest.raises(ConflictError):
        client.customers.create(name="Taken", slug="taken")
    with pytest.raises(NotFoundError):
        client.customers.update("missing", name="Missing")
    with pytest.raises(NotFoundError):
        client.customers.delete("missing")
    with pytest.raises(UnprocessableEntityError):
        client.customers.create(name="", slug="x")
    assert len(outbox_events(org.id)) == count
