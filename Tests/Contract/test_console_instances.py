"""The instance pages in a real browser: the list, the form, the detail with its usage meters, status undo,
deploy and delete, and the usage history with its CSV export."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from kaitencloud import ThresholdExceededError

from conftest import wait_for
from console_support import console_http


@pytest.fixture(scope="module")
def catalog(dev_client):
    """A customer, a metered and a boolean entitlement granted by a license, a zone and an INSTANCE metadata
    field, all named for this run; the field is archived afterwards so other pages' columns stay as they were."""
    run = uuid.uuid4().hex[:6]
    customer = dev_client.customers.create(name=f"Umbrella {run}", slug=f"umbrella-{run}")
    seats = dev_client.entitlements.create(
        name=f"Seats {run}", slug=f"seats-{run}", type="NUMBER", aggregation_method="SUM", unit_singular="seat",
        unit_plural="seats", warning_threshold_percent=80,
    )
    sso = dev_client.entitlements.create(name=f"SSO {run}", slug=f"sso-{run}", type="BOOLEAN")
    license_ = dev_client.licenses.create(name=f"Starter {run}", slug=f"starter-{run}", type="PAID")
    dev_client.licenses.associate_entitlement(license_.slug, seats.slug, 3, overage_percent=0)
    dev_client.licenses.associate_entitlement(license_.slug, sso.slug, True)
    zone = dev_client.deployment_zones.create(name=f"Frankfurt {run}", slug=f"fra-{run}", type="production")
    field = dev_client.metadata_fields.create(
        resource_type="INSTANCE", key=f"tier_{run}", label=f"Tier {run}", json_schema={"type": "string", "enum": ["gold", "silver"]}
    )
    try:
        yield {"run": run, "customer": customer, "seats": seats, "sso": sso, "license": license_, "zone": zone, "field": field}
    finally:
        dev_client.metadata_fields.archive(field.id)


def test_an_instance_is_created_edited_deployed_and_deleted_in_the_browser(console, catalog):
    run, customer = catalog["run"], catalog["customer"]
    console.visit(f"/console/instances/new?customer={customer.slug}", "instance-new")
    assert console.find("[name='customerId'] option:checked").text == customer.name
    console.fill({
        "name": f"Production {run}", "description": "The main deployment", "lifecycleStage": "Trial",
        "licenseId": catalog["license"].id, f"metadata.tier_{run}": '"gold"',
    })
    assert console.find("[name='slug']").get_attribute("value") == f"production-{run}"
    console.submit()
    assert console.heading == f"Production {run}"
    assert console.notice == f"Instance Production {run} created."
    assert "Trial" in console.text and "gold" in console.text
    slug = f"production-{run}"
    console.check("instance-detail")

    console.visit(f"/console/instances?q={run}", "instances")
    rows = console.find_all("main tbody tr")
    assert [row.find_element("css selector", "td a").text for row in rows] == [f"Production {run}"]
    assert f"Tier {run}" in [header.text for header in console.find_all("main thead th")]
    assert "gold" in rows[0].text
    console.open(f"/console/instances?q={run}&ending=30")
    assert not console.find_all("main tbody tr"), "the license ends in a year"
    console.open(f"/console/instances?customer={customer.slug}&status=HEALTHY&licenseType=PAID")
    assert len(console.find_all("main tbody tr")) == 1

    console.visit(f"/console/instances/{slug}/edit", "instance-edit")
    console.fill({"description": "Moved to the new cluster"})
    console.submit()
    assert console.notice == f"Instance Production {run} saved."
    assert "Moved to the new cluster" in console.text
    assert "Trial" in console.text

    console.find("#status option[value='DEGRADED']").click()
    console.submit("form[action$='/status'] button[type='submit']")
    assert console.notice == "Status changed from Healthy to Degraded."
    assert console.find(".heading .badge").text == "Degraded"
    console.check("instance-status-undo")
    console.submit("form.undo button")
    assert console.notice == "Status restored to Healthy."
    assert console.find(".heading .badge").text == "Healthy"
    assert not console.find_all("form.undo"), "an undo is offered once"

    console.visit(f"/console/instances/{slug}/deploy", "instance-deploy")
    console.fill({"deploymentZoneId": catalog["zone"].id})
    console.submit()
    assert console.notice == f"Instance Production {run} deployed."
    assert f"Frankfurt {run} — production" in console.text

    console.visit(f"/console/instances/{slug}/delete", "instance-delete")
    assert f"Production {run}" in console.heading
    assert "usage history" in console.text
    console.submit()
    assert console.notice == f"Instance {slug} deleted."
    console.open(f"/console/instances/{slug}")
    assert console.heading == "Not found"


def test_a_refused_instance_form_shows_each_error_beside_its_field_and_keeps_what_was_typed(console, catalog):
    console.open("/console/instances/new")
    console.fill({"name": f"Refused {catalog['run']}", "endLicenseDate": "", "description": "kept"})
    console.submit()
    assert console.find(".problem").text
    assert console.find("#customerId-error").text
    assert console.find("[name='customerId']").get_attribute("aria-invalid") == "true"
    assert console.find("#licenseId-error").text
    assert console.find("[name='name']").get_attribute("value") == f"Refused {catalog['run']}"
    assert console.find("[name='description']").get_attribute("value") == "kept"
    console.check("instance-form-refused")


def test_usage_is_metered_until_the_cap_and_exported_as_csv(console, dev_client, db, catalog):
    run, seats = catalog["run"], catalog["seats"]
    started = datetime.now(timezone.utc)
    instance = dev_client.instances.create(
        name=f"Metered {run}", slug=f"metered-{run}", customer_id=catalog["customer"].id, license_id=catalog["license"].id,
        start_license_date=started - timedelta(days=340), end_license_date=started + timedelta(days=25),
    )
    accepted = 0
    with pytest.raises(ThresholdExceededError):
        for _ in range(10):
            dev_client.instances.report_usage(instance.slug, seats.slug, 1, metadata={"source": "console, test"})
            accepted += 1
    assert accepted == 3
    # The reports were made on three days, so the value-over-time chart has a line to draw.
    db.execute(
        "UPDATE usage_ledger SET reported_at = reported_at - (3 - report_seq) * interval '1 day' WHERE instance_id = %s",
        (instance.id,),
    )

    console.visit(f"/console/instances/{instance.slug}", "instance-metered")
    meter = console.find(f"#meter-{seats.slug}")
    assert (meter.get_attribute("value"), meter.get_attribute("max")) == ("3", "3")
    assert "3 seats of 3 seats" in console.text
    assert "Lifetime" in console.text and "No overage" in console.text
    assert "Limit reached" in console.text
    assert len(console.find("svg.chart.line polyline").get_attribute("points").split()) == 3
    assert console.find(".figure.expiry").get_attribute("class").split()[-1] == "critical", "the license ends within 30 days"
    console.open(f"/console/instances?q={run}&ending=30")
    assert [row.find_element("css selector", "td a").text for row in console.find_all("main tbody tr")] == [f"Metered {run}"]

    wait_for(lambda: dev_client.instances.list_audit_trails(instance.slug, limit=1), "the audit trail of the instance")
    console.visit(f"/console/instances/{instance.slug}", "instance-timeline")
    assert "Today" in console.find(".timeline").find_element("xpath", "..").text

    history = f"/console/instances/{instance.slug}/usage/{seats.slug}"
    console.visit(history, "instance-usage-history")
    assert len(console.find_all("main tbody tr")) == 3
    console.open(f"{history}?from=nonsense&to=2026-13-45&sort=%00&page=-1")
    assert len(console.find_all("main tbody tr")) == 3
    console.open(f"{history}?from=2001-01-01")
    assert "at most 366 days" in console.text

    with console_http(console.origin, console.session_cookie()) as http:
        export = http.get(f"{history}.csv")
        assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(export.text)))
        assert [row["total_after"] for row in rows] == ["1", "2", "3"]
        assert rows[0]["metadata"] == '{"source": "console, test"}'
        assert http.get(f"/console/instances/{instance.slug}/usage/no-such-entitlement.csv").status_code == 404


def test_instance_list_views_come_from_the_url_and_garbage_values_fall_back(console):
    for query in ("sort=%00&dir=sideways&page=-4&size=7", "status=BROKEN&ending=999&licenseType=ENTERPRISE", "q=%25%5F&customer=%00"):
        console.open(f"/console/instances?{query}")
        assert console.heading == "Instances", query
    console.visit("/console/instances/no-such-instance", "instance-not-found")
    assert console.heading == "Not found"
