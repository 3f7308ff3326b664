"""The console in a real browser: sign-in, the customer pages, and what an attacker would try."""

from __future__ import annotations

import httpx
import pytest

from console_support import console_http, csrf_token


def test_the_one_time_link_signed_the_browser_in_and_cannot_be_used_again(console, kaiten):
    console.visit("/console/dashboard")
    assert console.heading == "Dashboard"
    assert "Customers" in console.text
    link = (kaiten.data_dir / "console-sign-in-link").read_text().strip()
    response = httpx.get(link, follow_redirects=False)
    assert response.status_code == 401
    assert "used already or has expired" in response.text
    assert "kaiten_console_session" not in response.headers.get("set-cookie", "")


def test_customers_are_created_edited_listed_and_deleted_in_the_browser(console):
    console.visit("/console/customers/new", "customer-new")
    console.fill({"name": "Globex Corporation", "externalCustomerId": "crm-globex", "domain": "globex.example"})
    assert console.find("[name='slug']").get_attribute("value") == "globex-corporation"
    console.submit()
    assert console.heading == "Globex Corporation"
    assert console.notice == "Customer Globex Corporation created."
    console.check("customer-detail")

    console.open("/console/customers/globex-corporation/edit")
    console.fill({"domain": "globex.test"})
    console.submit()
    assert "globex.test" in console.text

    console.visit("/console/customers?q=globex", "customers")
    rows = console.find_all("main tbody tr")
    assert [row.find_element("css selector", "td a").text for row in rows] == ["Globex Corporation"]

    console.visit("/console/customers/globex-corporation/delete", "customer-delete")
    assert "Globex Corporation" in console.heading
    console.submit()
    assert console.notice == "Customer globex-corporation deleted."
    console.open("/console/customers/globex-corporation")
    assert console.heading == "Not found"


def test_a_refused_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(console):
    console.open("/console/customers/new")
    console.fill({"name": "Initech", "domain": "not a domain"})
    console.submit()
    assert console.find(".problem").text
    assert console.find("#domain-error").text
    assert console.find("[name='domain']").get_attribute("aria-invalid") == "true"
    assert console.find("[name='name']").get_attribute("value") == "Initech"
    assert console.find("[name='domain']").get_attribute("value") == "not a domain"
    console.check("customer-form-refused")


def test_a_customer_named_like_a_script_is_shown_as_text(console, dev_client):
    dev_client.customers.create(name="<script>alert(1)</script>", slug="script-customer")
    console.visit("/console/customers/script-customer", "customer-script-name")
    assert console.heading == "<script>alert(1)</script>"
    assert "<script>alert(1)</script>" not in console.driver.page_source.replace("&lt;", "<").split("<main", 1)[0]
    console.open("/console/customers?q=script")
    assert console.find("main tbody td a").text == "<script>alert(1)</script>"


def test_list_views_come_from_the_url_and_garbage_values_fall_back(console):
    for query in ("sort=%00&dir=sideways&page=-4&size=7", "page=99999999999999999999", "licenseType=ENTERPRISE&q=%25%5F"):
        console.open(f"/console/customers?{query}")
        assert console.heading == "Customers"


def test_a_forged_post_without_this_sessions_csrf_token_writes_nothing(console, dev_client):
    session = console.session_cookie()
    with console_http(console.origin, session) as http:
        forged = http.post("/console/customers", data={"name": "Forged", "slug": "forged"})
        assert forged.status_code == 403
        assert "did not come from this console" in forged.text
        replayed = http.post("/console/customers", data={"name": "Forged", "slug": "forged", "csrf": "x" * 43})
        assert replayed.status_code == 403
    with console_http(console.origin) as anonymous:
        # A valid token of the signed-in session, without its cookie: no session, nothing written.
        token = csrf_token(console.driver.page_source)
        response = anonymous.post("/console/customers", data={"name": "Forged", "slug": "forged", "csrf": token})
        assert response.status_code == 303 and response.headers["location"] == "/console/sign-in"
    slugs = [customer.slug for customer in dev_client.customers.list()]
    assert "forged" not in slugs


def test_tampered_cookies_and_non_form_bodies_get_clear_answers(console):
    with console_http(console.origin, "tampered-" + (console.session_cookie() or "")) as http:
        response = http.get("/console/customers")
        assert response.status_code == 303
        assert response.headers["location"].startswith("/console/sign-in?next=")
    with console_http(console.origin, console.session_cookie()) as http:
        token = csrf_token(http.get("/console/customers/new").text)
        json_body = http.post("/console/customers", json={"name": "x", "csrf": token})
        assert json_body.status_code == 415
        oversized = http.post("/console/customers", data={"name": "x" * 70_000, "csrf": token})
        assert oversized.status_code == 413
        assert "<h1>" in oversized.text


def test_signing_in_with_a_token_ends_with_its_revocation(kaiten, platform):
    from console_support import Console, start_chromium

    minted = platform.tokens.mint(kaiten.organization_id, name="console-revocation", scopes=["read:*"])
    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(minted.token)
        assert console.heading == "Dashboard"
        console.visit("/console/customers")
        assert console.heading == "Customers"
        platform.tokens.revoke(kaiten.organization_id, minted.slug)
        console.open("/console/customers")
        assert driver.current_url.startswith(f"{console.origin}/console/sign-in")
    finally:
        driver.quit()


def test_a_page_the_scopes_do_not_allow_says_restricted_access_with_the_reason(kaiten, platform):
    from console_support import Console, start_chromium

    minted = platform.tokens.mint(kaiten.organization_id, name="console-restricted", scopes=["read:feature_flags"])
    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(minted.token)
        console.visit("/console/customers", "restricted-access")
        assert console.heading == "Restricted access"
        assert "missing required scope: read:customers" in console.text
    finally:
        driver.quit()


def test_a_wrong_token_keeps_the_sign_in_page_with_the_reason(kaiten):
    from console_support import Console, start_chromium

    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token("ksh_not-a-real-token")
        assert console.heading == "Sign in to Kaiten"
        assert console.find(".problem").text == "invalid token"
        console.check("sign-in-refused")
    finally:
        driver.quit()


def test_signing_out_ends_the_session(kaiten):
    from console_support import Console, start_chromium

    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(kaiten.org_token)
        session = console.session_cookie()
        console.submit("header form button")
        assert console.notice == "You are signed out."
        with console_http(console.origin, session) as http:
            assert http.get("/console/dashboard").status_code == 303
    finally:
        driver.quit()


def test_another_organizations_records_are_not_found(console, client):
    client.customers.create(name="Elsewhere Inc", slug="elsewhere-inc")
    console.visit("/console/customers/elsewhere-inc", "not-found")
    assert console.heading == "Not found"
    console.open("/console/customers?q=Elsewhere")
    assert "Elsewhere Inc" not in console.text


def test_an_expired_session_goes_back_to_sign_in_and_writes_nothing(kaiten, db, dev_client):
    from console_support import Console, start_chromium

    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(kaiten.org_token)
        console.open("/console/customers/new")
        console.fill({"name": "Too Late Ltd"})
        # This browser's session ends while the form is open, as 12 hours passing would end it.
        db.execute(
            "UPDATE console_session SET expires_at = now() - interval '1 second'"
            " WHERE secret_digest = encode(sha256(convert_to(%s, 'UTF8')), 'hex')",
            (console.session_cookie(),),
        )
        console.submit()
        assert driver.current_url.startswith(f"{console.origin}/console/sign-in")
        assert console.notice == "Your session has ended. Sign in again; nothing was changed."
        assert "Too Late Ltd" not in [customer.name for customer in dev_client.customers.list()]
    finally:
        driver.quit()


def test_with_javascript_off_the_forms_still_create_and_delete(kaiten, dev_client):
    from console_support import Console, start_chromium

    driver = start_chromium(javascript=False)
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(kaiten.org_token)
        assert console.heading == "Dashboard"
        console.open("/console/customers/new")
        console.fill({"name": "No Script GmbH"})
        assert console.find("[name='slug']").get_attribute("value") == "", "no script ran to fill the slug"
        console.submit()
        assert console.heading == "No Script GmbH"
        slug = driver.current_url.rsplit("/", 1)[1]
        assert slug in [customer.slug for customer in dev_client.customers.list()]
        console.open(f"/console/customers/{slug}/delete")
        console.submit()
        assert console.notice == f"Customer {slug} deleted."
        assert slug not in [customer.slug for customer in dev_client.customers.list()]
    finally:
        driver.quit()
