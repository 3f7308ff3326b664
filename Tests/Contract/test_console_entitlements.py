"""The entitlement pages in a real browser: created and edited through the form, listed with their groups,
and a delete confirmation that names the licenses granting the entitlement and refuses while any do."""

from __future__ import annotations


SAVE = "main form button.primary"


def test_an_entitlement_is_created_edited_listed_and_deleted_once_no_license_grants_it(console, dev_client):
    dev_client.entitlement_groups.create(name="Console quotas", slug="console-quotas")
    console.visit("/console/entitlements/new", "entitlement-new")
    console.fill(
        {"name": "API calls", "description": "Calls to the public API", "type": "NUMBER", "aggregationMethod": "COUNT",
         "resetPeriod": "MONTH", "resetAnchor": "LICENSE_START", "unitSingular": "call", "unitPlural": "calls"}
    )
    assert console.find("[name='slug']").get_attribute("value") == "api-calls"
    console.find("input[name='groupSlugs'][value='console-quotas']").click()
    console.submit(SAVE)
    assert console.notice == "Entitlement API calls created."
    assert console.heading == "API calls"
    text = console.text
    assert "Count" in text and "Month, from the license start" in text and "Console quotas" in text and "call / calls" in text
    console.check("entitlement-detail")

    console.visit("/console/entitlements/api-calls/edit", "entitlement-edit")
    assert "Month, from the license start" in console.text  # fixed once set: shown, not offered
    console.fill({"description": "Calls to the public API, per month"})
    console.submit(SAVE)
    assert console.notice == "Entitlement API calls saved."
    assert "Calls to the public API, per month" in console.text
    entitlement = dev_client.entitlements.get("api-calls")
    assert entitlement.aggregation_method == "COUNT" and entitlement.reset_period == "MONTH"

    console.visit("/console/entitlements?type=NUMBER&group=console-quotas", "entitlements")
    rows = console.find_all("main tbody tr")
    assert [row.find_element("css selector", "td a").text for row in rows] == ["API calls"]
    assert "Console quotas" in rows[0].text and "Count" in rows[0].text

    dev_client.licenses.create(name="Entitlement Pages Plan", slug="entitlement-pages-plan", type="PAID")
    dev_client.licenses.associate_entitlement("entitlement-pages-plan", "api-calls", 1000)
    console.visit("/console/entitlements/api-calls", "entitlement-granted")
    assert "Entitlement Pages Plan" in console.text and "1,000" in console.text
    console.visit("/console/entitlements/api-calls/delete", "entitlement-delete-blocked")
    assert "granted by 1 license" in console.find(".problem").text
    assert "Entitlement Pages Plan" in console.text
    assert not console.find_all("main form button.danger")

    dev_client.licenses.delete_entitlement("entitlement-pages-plan", "api-calls")
    console.visit("/console/entitlements/api-calls/delete", "entitlement-delete")
    console.submit("main form button.danger")
    assert console.notice == "Entitlement api-calls deleted."
    console.open("/console/entitlements/api-calls")
    assert console.heading == "Not found"


def test_a_refused_entitlement_form_keeps_what_was_typed(console):
    console.open("/console/entitlements/new")
    console.fill({"name": "Seats", "type": "NUMBER", "unitSingular": "seat", "displayOrder": "-3"})
    console.submit(SAVE)
    assert console.find(".problem").text
    assert console.find("#displayOrder-error").text
    assert console.find("[name='name']").get_attribute("value") == "Seats"
    assert console.find("[name='unitSingular']").get_attribute("value") == "seat"
    console.check("entitlement-form-refused")


def test_a_boolean_entitlement_has_no_number_settings(console):
    console.open("/console/entitlements/new")
    console.fill({"name": "Single sign-on", "type": "BOOLEAN"})
    console.submit(SAVE)
    assert console.notice == "Entitlement Single sign-on created."
    assert "Aggregation" not in console.find("main .details").text
    console.visit("/console/entitlements/single-sign-on/edit", "entitlement-edit-boolean")
    assert not console.find_all("[name='aggregationMethod']")


def test_list_views_of_entitlements_come_from_the_url_and_garbage_falls_back(console):
    for query in ("sort=%00&dir=sideways&page=-4&size=7", "type=FLOAT&aggregation=MEDIAN&group=%25", "q=%25%5F"):
        console.open(f"/console/entitlements?{query}")
        assert console.heading == "Entitlements"

