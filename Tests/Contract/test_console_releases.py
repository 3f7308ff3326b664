"""The releases workspace in a real browser: components, releases and the deployment zones that run them."""

from __future__ import annotations


POST_FORM = "main form[method='post'] button[type='submit']"


def test_a_release_made_of_a_component_is_deployed_and_its_delete_is_refused_with_the_apis_reason(console, dev_client):
    console.visit("/console/components/new", "component-new")
    console.fill({"name": "console-api", "version": "1.0.0", "description": "The public API"})
    console.submit()
    assert console.notice == "Component console-api 1.0.0 created."
    dev_client.components.create(name="console-api", version="1.1.0")
    console.visit("/console/components?q=console-api", "components")
    group = console.find("main section.card")
    assert group.find_element("css selector", "h2").text == "console-api"
    assert "2 versions" in group.text

    dev_client.deployment_zones.create(name="Console EU", type="production", slug="console-eu", description="Frankfurt")
    console.visit("/console/releases/new", "release-new")
    console.fill({"version": "2026.12.1", "description": "December"})
    [picked] = [box for box in console.find_all("[name='component']") if box.find_element("xpath", "..").text == "console-api 1.0.0"]
    picked.click()
    console.submit(POST_FORM)
    assert console.heading == "Release 2026.12.1"
    assert console.notice == "Release 2026.12.1 created."
    assert console.find("main .badge").text == "Planned"
    assert "1.0.0" in console.text
    release_path = console.driver.current_url.removeprefix(console.origin)
    console.check("release-detail")

    console.fill({"zone": "console-eu"})
    console.submit("main form[action$='/deploy'] button[type='submit']")
    assert console.notice == "Release 2026.12.1 deployed to console-eu."
    assert console.find("main .badge").text == "Deployed"
    assert "Console EU" in console.text

    console.visit("/console/releases?status=DEPLOYED&q=2026.12", "releases")
    [row] = console.find_all("main tbody tr")
    assert row.find_element("css selector", "td a").text == "2026.12.1"
    assert "Console EU" in row.text
    console.open("/console/releases?status=PLANNED&q=2026.12")
    assert "No results" in console.text

    console.visit(f"{release_path}/delete", "release-delete")
    console.submit()
    assert "is deployed to a zone and cannot be deleted" in console.find("main .problem").text
    assert dev_client.releases.get(release_path.rsplit("/", 1)[1]).version == "2026.12.1"

    dev_client.releases.create(version="2026.12.0-rc")
    console.open("/console/releases?q=2026.12.0-rc")
    console.submit("main tbody td a")
    console.open(console.driver.current_url.removeprefix(console.origin) + "/delete")
    console.submit()
    assert console.notice.startswith("Release ") and console.notice.endswith(" deleted.")


def test_a_deployment_zone_is_created_edited_deployed_to_and_deleted(console, dev_client):
    console.visit("/console/deployment-zones/new", "zone-new")
    console.fill({"name": "Console Staging", "type": "staging", "description": "Before production"})
    console.submit()
    assert console.heading == "Console Staging"
    assert console.notice == "Deployment zone Console Staging created."

    console.visit("/console/deployment-zones/console-staging/edit", "zone-edit")
    console.fill({"metadata": "not json", "description": "Staging in the EU"})
    console.submit()
    assert console.find("#metadata-error").text
    assert console.find("[name='metadata']").get_attribute("aria-invalid") == "true"
    assert console.find("[name='description']").get_attribute("value") == "Staging in the EU"
    console.check("zone-form-refused")
    console.fill({"metadata": '{"region": "eu-central"}'})
    console.submit()
    assert console.notice == "Deployment zone Console Staging saved."
    assert "eu-central" in console.text

    release = dev_client.releases.create(version="2026.12.2")
    dev_client.deployment_zones.create(name="Console Staging Two", type="staging", slug="console-staging-two", release_id=release.id)
    console.visit("/console/deployment-zones/console-staging/deploy", "zone-deploy")
    console.fill({"release": release.id})
    console.submit()
    assert console.notice == "Release deployed to console-staging."
    assert "2026.12.2" in console.text
    assert "Console Staging Two" in console.find("main table").text
    console.check("zone-detail")
    assert dev_client.deployment_zones.get("console-staging").release_id == release.id

    console.visit("/console/deployment-zones?q=console%20staging", "zones")
    names = [row.find_element("css selector", "td a").text for row in console.find_all("main tbody tr")]
    assert names == ["Console Staging", "Console Staging Two"]
    console.open(f"/console/releases/{release.slug}")
    assert console.find("main .badge").text == "In staging"

    console.visit("/console/deployment-zones/console-staging/delete", "zone-delete")
    assert "Console Staging" in console.heading
    console.submit()
    assert console.notice == "Deployment zone console-staging deleted."
    console.open("/console/deployment-zones/console-staging")
    assert console.heading == "Not found"


def test_list_views_of_the_workspace_come_from_the_url_and_garbage_values_fall_back(console):
    for path in ("/console/releases", "/console/components", "/console/deployment-zones", "/console/licenses"):
        for query in ("sort=%00&dir=sideways&page=-4&size=7", "page=99999999999999999999", "status=BROKEN&type=GOLD&q=%25%5F"):
            console.open(f"{path}?{query}")
            assert console.find("main h1").text
            assert "Something went wrong" not in console.text
