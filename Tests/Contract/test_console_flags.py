"""The feature flag pages in a real browser: the one form that creates and edits a flag (rows added by
posting the form, no script needed), the rule lint beside each rule, the enable switch and "Try it"."""

from __future__ import annotations

from selenium.webdriver.support.ui import Select, WebDriverWait

SAVE = "main form button.primary"


def test_a_flag_is_created_through_the_form_with_a_targeting_rule(console):
    console.visit("/console/feature-flags/new", "flag-new")
    console.fill({"name": "New checkout"})
    assert console.find("[name='slug']").get_attribute("value") == "new-checkout"
    assert [row.get_attribute("value") for row in console.find_all("input[name$='-name'][name^='variant-']")] == ["on", "off"]

    _press(console, "add-rule")
    assert console.find("[name='name']").get_attribute("value") == "New checkout"
    console.fill({"rule-0-name": "Beta customers", "rule-0-rule": 'plan == "beta" &&'})
    Select(console.find("[name='rule-0-variant']")).select_by_value("on")
    console.submit(SAVE)
    # Refused beside the rule, with the rule as it was typed.
    assert console.find(".problem").text
    assert console.find("#rule-0-rule-error").text
    assert console.find("[name='rule-0-rule']").get_attribute("value") == 'plan == "beta" &&'
    assert console.find("[name='rule-0-rule']").get_attribute("aria-invalid") == "true"
    console.check("flag-form-refused")

    console.fill({"rule-0-rule": 'plan == "beta"'})
    console.submit(SAVE)
    assert console.notice == "Feature flag New checkout created."
    assert console.heading == "New checkout"
    assert "Beta customers" in console.text and 'plan == "beta"' in console.text
    console.check("flag-detail")

    console.visit("/console/feature-flags?q=checkout", "flags")
    rows = console.find_all("main tbody tr")
    assert [row.find_element("css selector", "td a").text for row in rows] == ["New checkout"]
    assert "1 rule(s)" in rows[0].text


def test_the_rule_editor_lints_as_the_author_types(console):
    console.open("/console/feature-flags/new")
    console.fill({"name": "Linted flag"})
    _press(console, "add-rule")
    editor = console.find("[name='rule-0-rule']")
    editor.send_keys("targetingKey ==")
    WebDriverWait(console.driver, 5).until(lambda _: console.find("#rule-0-lint").text not in ("", "Valid"))
    assert "field-error" in console.find("#rule-0-lint").get_attribute("class")
    editor.send_keys(' "user-1"')
    WebDriverWait(console.driver, 5).until(lambda _: console.find("#rule-0-lint").text == "Valid")
    console.check("flag-form-lint")


def test_a_flag_is_switched_off_and_on_from_its_page_and_the_list(console):
    _create_flag(console, "Dark mode")
    console.visit("/console/feature-flags/dark-mode")
    console.submit("main .heading form button")
    assert console.notice == "Feature flag Dark mode disabled."
    assert "Disabled" in console.find("main .heading .badge").text

    console.open("/console/feature-flags?q=dark")
    console.submit("main tbody form button")
    assert console.notice == "Feature flag Dark mode enabled."
    console.open("/console/feature-flags?q=dark")
    assert "Enabled" in console.find("main tbody .badge").text
    console.visit("/console/feature-flags?enabled=false", "flags-disabled")
    assert "Dark mode" not in console.text


def test_try_it_shows_the_variant_a_context_gets(console):
    _create_flag(console, "Try checkout", rule='plan == "beta"')
    console.visit("/console/feature-flags/try-checkout/try", "flag-try")
    assert console.find("[name='context']").get_attribute("value") == '{"targetingKey":"user-123"}'
    console.fill({"context": '{"targetingKey":"user-1","plan":"beta"}', "rule": 'plan == "beta"'})
    console.submit(SAVE)
    result = console.find(".flag-result").text
    assert "Reason\nTARGETING_MATCH" in result and "Variant\non" in result
    assert "matches" in console.text
    console.check("flag-try-result")

    console.fill({"context": "not json"})
    console.submit(SAVE)
    assert console.find("#context-error").text == "The context is not JSON."


def test_the_edit_form_adds_a_variant_moves_rules_and_keeps_the_slug(console):
    _create_flag(console, "Banner color", kind="string", rule='targetingKey == "a"')
    console.visit("/console/feature-flags/banner-color/edit", "flag-edit")
    _press(console, "add-rule")
    console.fill({"rule-1-name": "Second", "rule-1-rule": 'targetingKey == "b"'})
    _press(console, "rule-up-1")
    assert console.find("[name='rule-0-name']").get_attribute("value") == "Second"
    console.submit(SAVE)
    assert console.notice == "Feature flag Banner color saved."
    rules = [item.text for item in console.find_all("main .flag-rules li")]
    assert rules[0].startswith("Second") and len(rules) == 2


def test_list_views_of_flags_come_from_the_url_and_garbage_falls_back(console):
    for query in ("sort=%00&dir=sideways&page=-4&size=7", "type=enum&enabled=maybe", "page=99999999999999999999"):
        console.open(f"/console/feature-flags?{query}")
        assert console.heading == "Feature flags"


def _create_flag(console, name: str, kind: str = "boolean", rule: str | None = None) -> None:
    """A flag made through the form: `on`/`off` variants of the kind, and one rule serving `on` when given."""
    console.open("/console/feature-flags/new")
    console.fill({"name": name, "type": kind})
    if kind == "string":
        console.fill({"variant-0-value": "on", "variant-1-value": "off", "fallback": "off"})
    if rule:
        _press(console, "add-rule")
        console.fill({"rule-0-name": "Rule", "rule-0-rule": rule})
        Select(console.find("[name='rule-0-variant']")).select_by_value("on")
    console.submit(SAVE)
    assert console.heading == name, console.text


def _press(console, action: str) -> None:
    """Presses one of the form's row buttons and waits for the form to come back."""
    console.submit(f"button[value='{action}']")

