"""A person's first session in the console, in one browser from sign-in to sign-out: a catalog, a license, a
customer and an instance built through the forms; usage reported by the product (the SDK) until the meter
shows the cap; a flag switched off and tried; a token minted and revoked."""

from __future__ import annotations

import uuid

from kaitencloud import ThresholdExceededError

from console_support import Console, start_chromium

SAVE = "main form button.primary"


def test_a_first_session_from_sign_in_to_sign_out(kaiten, dev_client):
    run = uuid.uuid4().hex[:6]
    driver = start_chromium()
    try:
        console = Console(driver, kaiten.core_url.removesuffix("/api"))
        console.sign_in_with_token(kaiten.org_token)
        console.check("walkthrough-dashboard")

        # The catalog: a metered entitlement.
        console.open("/console/entitlements/new")
        console.fill({"name": f"Projects {run}", "slug": f"projects-{run}", "type": "NUMBER", "aggregationMethod": "SUM",
                      "unitSingular": "project", "unitPlural": "projects"})
        console.submit(SAVE)
        assert console.notice == f"Entitlement Projects {run} created.", console.text

        # A license granting three projects, published.
        console.open("/console/licenses/new")
        console.fill({"name": f"Team {run}", "slug": f"team-{run}", "type": "PAID"})
        console.find(f"[name='grant-projects-{run}']").click()
        console.fill({f"threshold-projects-{run}": "3", f"overage-projects-{run}": "0"})
        console.submit("main form[method='post'] button[type='submit']")
        assert console.heading == f"Team {run} v1", console.text
        license_id = dev_client.licenses.get(f"team-{run}").id

        # A customer and its instance.
        console.open("/console/customers/new")
        console.fill({"name": f"Initech {run}", "slug": f"initech-{run}"})
        console.submit()
        assert console.heading == f"Initech {run}"
        console.open(f"/console/instances/new?customer=initech-{run}")
        console.fill({"name": f"Initech prod {run}", "slug": f"initech-prod-{run}", "description": "Production", "licenseId": license_id})
        console.submit()
        assert console.heading == f"Initech prod {run}", console.text

        # The product reports usage until the license refuses it; the meter shows the cap.
        for _ in range(3):
            dev_client.instances.report_usage(f"initech-prod-{run}", f"projects-{run}", 1)
        try:
            dev_client.instances.report_usage(f"initech-prod-{run}", f"projects-{run}", 1)
            raise AssertionError("the fourth project should be refused")
        except ThresholdExceededError:
            pass
        console.visit(f"/console/instances/initech-prod-{run}", "walkthrough-instance-at-cap")
        meter = console.find(f"#meter-projects-{run}")
        assert (meter.get_attribute("value"), meter.get_attribute("max")) == ("3", "3")
        assert "Limit reached" in console.text

        # A flag: created, switched off, tried.
        console.open("/console/feature-flags/new")
        console.fill({"name": f"Bulk export {run}", "slug": f"bulk-export-{run}", "type": "boolean"})
        console.submit(SAVE)
        assert console.heading == f"Bulk export {run}", console.text
        console.submit("main .heading form button")
        assert console.notice == f"Feature flag Bulk export {run} disabled."
        console.open(f"/console/feature-flags/bulk-export-{run}/try")
        console.submit(SAVE)
        assert "DISABLED" in console.find(".flag-result").text

        # A service account's token: shown once, then revoked.
        console.open("/console/service-accounts/new")
        console.fill({"name": f"CI {run}", "slug": f"ci-{run}"})
        console.submit()
        console.open(f"/console/service-accounts/ci-{run}/tokens/new")
        console.fill({"name": "Deploys"})
        console.submit("button[value='control-plane']")
        console.submit("button[value='create']")
        token = console.find("#token-value").text
        assert token.startswith("ksh_")
        console.open(f"/console/service-accounts/ci-{run}")
        console.submit("main a[href$='/revoke']")
        console.submit()
        assert "revoked" in console.notice

        # Signing out ends the session.
        console.submit("header form button")
        assert console.notice == "You are signed out."
        console.open("/console/dashboard")
        assert driver.current_url.startswith(f"{console.origin}/console/sign-in")
    finally:
        driver.quit()
