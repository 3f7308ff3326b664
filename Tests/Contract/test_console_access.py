"""The console's access pages in a real browser: service accounts and their tokens, webhook endpoints, the
organization's audit trail and its CSV export, and the metadata fields of the settings."""

from __future__ import annotations

from conftest import wait_for
from console_support import console_http


def test_a_token_is_minted_with_a_preset_shown_once_and_revoked(console):
    console.visit("/console/service-accounts/new", "service-account-new")
    console.fill({"name": "Billing Sync"})
    console.submit()
    assert console.heading == "Billing Sync"
    assert console.notice == "Service account Billing Sync created."
    console.check("service-account")

    console.visit("/console/service-accounts", "service-accounts")
    assert "Billing Sync" in console.text

    console.visit("/console/service-accounts/billing-sync/tokens/new", "token-new")
    console.fill({"name": "Runtime"})
    console.submit("button[value='data-plane']")
    assert console.find("#scope-feature_flags-read").is_selected()
    assert console.find("#scope-instances-write").is_selected()
    assert console.find("#scope-tokens-none").is_selected()
    assert console.find("[name='name']").get_attribute("value") == "Runtime"
    console.submit("button[value='create']")
    assert console.heading == "Token Runtime created"
    value = console.find("#token-value").text
    assert value.startswith("ksh_")
    copy = console.find("button[data-copy='token-value']")
    assert copy.is_displayed()
    assert "read:feature_flags" in console.text
    console.check("token-created")

    # The value is in that answer alone: the account page, the form and the token list never show it again.
    for path in (
        "/console/service-accounts/billing-sync/tokens",
        "/console/service-accounts/billing-sync",
        "/console/service-accounts",
        "/console/service-accounts/billing-sync/tokens/new",
    ):
        console.open(path)
        assert value not in console.driver.page_source
    console.visit("/console/service-accounts/billing-sync?status=active", "service-account-active-tokens")
    assert "Runtime" in console.text
    assert "write:instances" in console.text

    revoke = console.find("main a[href$='/revoke']")
    token_slug = revoke.get_attribute("href").split("/tokens/")[1].removesuffix("/revoke")
    console.submit(revoke)
    assert console.heading == f"Revoke token “{token_slug}”?"
    console.check("token-revoke")
    console.submit()
    assert console.notice == f"Token {token_slug} revoked."
    console.open("/console/service-accounts/billing-sync?status=revoked")
    assert "Revoked" in console.text and "Runtime" in console.text
    console.open("/console/service-accounts?has=revoked")
    assert "Billing Sync" in console.text


def test_a_token_refused_by_the_api_keeps_the_form(console):
    console.open("/console/service-accounts/new")
    console.fill({"name": "Refusals"})
    console.submit()
    console.open("/console/service-accounts/refusals/tokens/new")
    console.submit("button[value='create']")
    assert console.find(".problem").text
    assert console.find("#name-error").text
    console.check("token-form-refused")


def test_a_webhook_endpoint_is_created_its_secret_revealed_and_rotated_and_a_test_listed(console):
    console.visit("/console/webhooks/new", "webhook-new")
    console.fill({"url": "http://127.0.0.1:9/hook", "description": "Local receiver"})
    console.find("#event-customer_created").click()
    console.submit()
    assert console.heading == "http://127.0.0.1:9/hook"
    assert console.notice == "Webhook endpoint http://127.0.0.1:9/hook created."
    assert "com.kaiten.customer.v1.created" in console.text
    assert "whsec_" in console.text and not console.find_all("#webhook-secret")
    console.check("webhook")
    detail = console.driver.current_url.removeprefix(console.origin)

    console.submit("main a[href$='?reveal=secret']")
    secret = console.find("#webhook-secret").text
    assert secret.startswith("whsec_") and len(secret) > 20
    assert console.find("button[data-copy='webhook-secret']").is_displayed()
    console.check("webhook-secret")

    console.submit("main a[href$='/rotate']")
    assert "Rotate the signing secret" in console.heading
    console.check("webhook-rotate")
    console.submit()
    assert console.notice.startswith("Secret rotated.")
    console.open(detail + "?reveal=secret")
    assert console.find("#webhook-secret").text != secret

    console.submit("form[action$='/test'] button")
    assert console.notice == "Test message queued."
    assert "WEBHOOK_TEST" in console.text
    console.submit("form[action$='/retry'] button")
    assert console.notice == "Message queued for another attempt."
    console.submit("form[action$='/replay'] button")
    assert "queued for delivery again" in console.notice

    console.visit("/console/webhooks", "webhooks")
    assert "http://127.0.0.1:9/hook" in console.text
    console.visit(detail + "/edit", "webhook-edit")
    console.fill({"description": "Edited receiver"})
    console.submit()
    assert console.notice == "Webhook endpoint http://127.0.0.1:9/hook saved."
    assert "Edited receiver" in console.text

    console.visit(detail + "/delete", "webhook-delete")
    console.submit()
    assert console.notice == "Webhook endpoint deleted."


def test_a_webhook_to_a_malformed_url_is_refused_beside_the_field(console):
    console.open("/console/webhooks/new")
    console.fill({"url": "ftp://example.com/hook"})
    console.submit()
    assert console.find("#url-error").text
    assert console.find("[name='url']").get_attribute("value") == "ftp://example.com/hook"
    console.check("webhook-form-refused")


def test_the_audit_trail_lists_a_customer_creation_and_exports_it(console, dev_client, db):
    dev_client.customers.create(name="Audited Corp", slug="audited-corp")
    # The audit trail's consumer records the event after the write answers: wait for its row, then read the page.
    wait_for(
        lambda: db.execute(
            "SELECT 1 FROM audit_trail WHERE event_name = 'CUSTOMER_CREATED' AND payload ->> 'slug' = 'audited-corp'"
        ).fetchone(),
        "the audit trail to record the customer's creation",
    )
    console.open("/console/audit-trail?q=audited-corp")
    assert "CUSTOMER_CREATED" in console.find("main table").text
    assert "audited-corp" in console.find("main table").text
    console.visit("/console/audit-trail?q=audited-corp&status=accepted&range=24h", "audit-trail")
    assert "Today" in console.text
    console.find("main details summary").click()
    assert "Audited Corp" in console.find("main details pre").text

    console.open("/console/audit-trail?customer=audited-corp&event=CUSTOMER_CREATED")
    assert "CUSTOMER_CREATED" in console.text
    export = console.find("main a[href^='/console/audit-trail.csv']").get_attribute("href")
    with console_http(console.origin, console.session_cookie()) as http:
        csv = http.get(export.removeprefix(console.origin))
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    lines = csv.text.splitlines()
    assert lines[0].startswith("id,time,status,event_name")
    assert len(lines) == 2 and "CUSTOMER_CREATED" in lines[1] and "audited-corp" in lines[1]

    for query in ("status=bogus&range=1y&page=-1&size=3", "event=%00&instance=%25"):
        console.open(f"/console/audit-trail?{query}")
        assert console.heading == "Audit trail"


def test_a_metadata_field_is_created_its_dry_run_shown_and_archived(console):
    console.visit("/console/settings", "settings")
    console.submit("main a[href='/console/settings/metadata?resourceType=INSTANCE']")
    console.check("settings-metadata")
    console.visit("/console/settings/metadata/new?resourceType=INSTANCE", "settings-metadata-new")
    console.fill({"key": "tier", "label": "Support tier", "kind": "enum", "enumValues": "gold\nsilver"})
    console.submit()
    assert console.notice == "Field Support tier created."
    assert "gold, silver" in console.text

    console.open("/console/settings/metadata/new?resourceType=INSTANCE")
    console.fill({"key": "region", "label": "Region", "kind": "string"})
    console.submit()
    rows = [row.find_element("css selector", "td").text for row in console.find_all("main tbody tr")]
    assert rows == ["Support tier", "Region"]
    console.submit("form[action='/console/settings/metadata/reorder'] button")
    assert console.notice == "Order saved."
    rows = [row.find_element("css selector", "td").text for row in console.find_all("main tbody tr")]
    assert rows == ["Region", "Support tier"]

    tier = console.find_all("main a[href$='/edit']")[1].get_attribute("href")
    console.visit(tier.removeprefix(console.origin), "settings-metadata-edit")
    console.fill({"enumValues": "gold\nsilver\nbronze"})
    console.submit("button[value='preview']")
    assert "0 stored values would fail the new schema." in console.text
    console.check("settings-metadata-dry-run")
    console.submit("button[value='save']")
    assert console.notice == "Field Support tier saved."
    assert "gold, silver, bronze" in console.text

    archive = [f for f in console.find_all("main form[action$='/archive']") if "Support tier" in f.get_attribute("textContent")][0]
    console.submit(archive.find_element("css selector", "button"))
    assert console.notice == "Field Support tier archived."
    assert "Support tier" not in console.find("main table").text
    console.visit("/console/settings/metadata?resourceType=INSTANCE&archived=1", "settings-metadata-archived")
    assert "Archived" in console.text and "Support tier" in console.text


def test_garbage_in_the_urls_of_these_pages_falls_back_to_defaults(console):
    for path, heading in (
        ("/console/service-accounts?has=%00&sort=x&dir=up&page=-2&size=9", "Service accounts"),
        ("/console/webhooks?status=sideways&page=99999999999999999999", "Webhooks"),
        ("/console/settings/metadata?resourceType=PLANET&archived=maybe", "Instance metadata"),
        ("/console/webhooks/not-an-id", "Not found"),
        ("/console/service-accounts/nobody/tokens/new", "Not found"),
    ):
        console.open(path)
        assert console.heading == heading
