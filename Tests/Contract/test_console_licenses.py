"""The license pages in a real browser: a family's versions through their lifecycle, and the grants editor."""

from __future__ import annotations


POST_FORM = "main form[method='post'] button[type='submit']"


def test_a_license_is_drafted_with_a_grant_published_made_default_versioned_and_archived(console, dev_client):
    dev_client.entitlements.create(name="Console seats", slug="console-seats", type="NUMBER")
    dev_client.entitlements.create(name="Console SSO", slug="console-sso", type="BOOLEAN")

    console.visit("/console/licenses/new", "license-new")
    console.fill({"name": "Console Growth", "type": "PAID", "description": "For growing teams"})
    console.find("[name='grant-console-seats']").click()
    console.fill({"threshold-console-seats": "25", "overage-console-seats": "10"})
    console.find("[name='draft']").click()
    console.submit(POST_FORM)
    assert console.heading == "Console Growth v1", console.text
    assert console.notice == "License Console Growth v1 saved as a draft."
    assert console.find("main .badge.draft").text == "Draft"
    assert console.find("#threshold-console-seats").get_attribute("value") == "25"
    assert console.find("#overage-console-seats").get_attribute("value") == "10"
    console.check("license-detail-draft")

    console.visit("/console/licenses/console-growth/publish", "license-publish")
    assert console.heading == "Publish “Console Growth v1”?"
    console.submit()
    assert console.notice == "License Console Growth published."
    assert console.find("main .badge.published").text == "Published"

    console.visit("/console/licenses/console-growth/set-default", "license-set-default")
    console.submit()
    assert console.notice == "License Console Growth is now its family's default."
    assert dev_client.licenses.get("console-growth").is_default is True

    console.visit("/console/licenses/new?base=console-growth", "license-new-version")
    assert console.find("[name='description']").get_attribute("value") == "For growing teams"
    assert console.find("[name='grant-console-seats']").is_selected()
    assert not console.find("[name='grant-console-sso']").is_selected()
    console.fill({"versionName": "Winter"})
    console.submit(POST_FORM)
    assert console.heading == "Console Growth v2"
    assert console.notice == "License Console Growth v2 created and published."
    assert console.find("#threshold-console-seats").get_attribute("value") == "25"
    assert dev_client.licenses.get("console-growth-v2").version_name == "Winter"

    console.visit("/console/licenses/console-growth-v2/archive", "license-archive")
    console.submit()
    assert console.notice == "License Console Growth archived."
    assert console.find("main .badge.archived").text == "Archived"

    console.visit("/console/licenses?q=console%20growth", "licenses")
    family = console.find("main section.family")
    assert family.find_element("css selector", "h2").text == "Console Growth"
    assert "2 versions" in family.text
    assert "Default: v1" in family.text
    versions = [row.find_element("css selector", "td a").text for row in family.find_elements("css selector", "tbody tr")]
    assert versions == ["Console Growth", "Console Growth"]
    assert "Unarchive" in family.text

    console.open("/console/licenses?type=TRIAL&q=console%20growth")
    assert "No results" in console.text


def test_a_refused_grant_is_shown_beside_its_field_and_keeps_what_was_typed(console, dev_client):
    dev_client.entitlements.create(name="Console API calls", slug="console-api-calls", type="NUMBER")
    dev_client.entitlements.create(name="Console theme", slug="console-theme", type="CONFIG")
    dev_client.licenses.create(name="Console Refusals", type="TRIAL", slug="console-refusals", lifecycle_state="DRAFT")

    console.visit("/console/licenses/console-refusals?add=console-api-calls", "license-grant-add")
    console.fill({"threshold": "1000", "overage": "-5"})
    console.submit("#add-grant button[type='submit']")
    assert "limitCapExceededOveragePercent" in console.find("#overage-console-api-calls-error").text
    assert console.find("#overage-console-api-calls").get_attribute("aria-invalid") == "true"
    assert console.find("#overage-console-api-calls").get_attribute("value") == "-5"
    assert console.find("#threshold-console-api-calls").get_attribute("value") == "1000"
    console.check("license-grant-refused")

    console.fill({"overage": "5"})
    console.submit("#add-grant button[type='submit']")
    assert console.notice == "Console API calls granted."
    assert "1000 (+5 % overage)" in console.text

    console.fill({"threshold": "many"})
    console.submit("#grant-console-api-calls button[type='submit']")
    assert "must be a number" in console.find("#threshold-console-api-calls-error").text
    assert console.find("#threshold-console-api-calls").get_attribute("value") == "many"

    console.open("/console/licenses/console-refusals")
    console.find("#grant-console-api-calls [name='unlimited']").click()
    console.submit("#grant-console-api-calls button[type='submit']")
    assert console.notice == "Console API calls saved."
    assert "Unlimited" in console.find("#grant-console-api-calls h3").text

    console.open("/console/licenses/console-refusals?add=console-theme")
    console.fill({"config": "{not json"})
    console.submit("#add-grant button[type='submit']")
    assert console.find("#config-console-theme-error").text
    console.fill({"config": '{"color": "teal"}'})
    console.submit("#add-grant button[type='submit']")
    assert console.notice == "Console theme granted."

    console.visit("/console/licenses/console-refusals/grants/console-theme/delete", "license-grant-remove")
    assert "Console theme" in console.heading
    console.submit()
    assert console.notice == "Grant of console-theme removed."
    assert [grant.entitlement_slug for grant in dev_client.licenses.list_entitlements("console-refusals")] == ["console-api-calls"]


def test_a_draft_is_deleted_with_its_grants_and_a_published_version_is_not(console, dev_client):
    dev_client.entitlements.create(name="Console exports", slug="console-exports", type="BOOLEAN")
    dev_client.licenses.create(name="Console Scratch", type="DEVELOPMENT", slug="console-scratch", lifecycle_state="DRAFT")
    dev_client.licenses.associate_entitlement("console-scratch", "console-exports", True)

    console.visit("/console/licenses/console-scratch/delete", "license-delete")
    assert "Console exports" in console.text
    console.submit()
    assert console.notice == "License Console Scratch v1 deleted."

    dev_client.licenses.create(name="Console Kept", type="COMMUNITY", slug="console-kept")
    console.open("/console/licenses/console-kept/delete")
    assert "Only a draft can be deleted" in console.find(".problem").text
    assert not console.find_all("main form[method='post']")
