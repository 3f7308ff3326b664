"""Feature flags through the official SDK: the `feature_flags` methods and the `targeting` builders."""

from kaitencloud import targeting


def test_the_sdk_creates_lists_updates_and_deletes_a_flag(client):
    created = client.feature_flags.create(
        name="Dark mode",
        type="string",
        variants=[targeting.variant("dark", "dark"), targeting.variant("light", "light", description="default")],
        default_variant=targeting.split({"dark": 20, "light": 80}),
        targetings=[
            targeting.rule("staff", "email.endsWith('@acme.test')", "dark"),
            targeting.schedule_rule(
                "ramp", "plan == 'pro'",
                start=targeting.step("light", 0, "2026-01-01T00:00:00Z"),
                end=targeting.step("dark", 100, "2026-02-01T00:00:00Z"),
            ),
        ],
        metadata={"fallback_value": "light"},
    )
    assert created.slug.startswith("dark-mode-")
    assert [flag.slug for flag in client.feature_flags.list()] == [created.slug]
    assert client.feature_flags.get(created.slug).name == "Dark mode"

    client.feature_flags.update(
        created.slug, name="Dark mode", type="string",
        variants=[targeting.variant("dark", "dark"), targeting.variant("light", "light")],
        default_variant="light", enabled=False,
    )
    updated = client.feature_flags.get(created.slug)
    assert updated.enabled is False

    client.feature_flags.delete(created.slug)
    assert client.feature_flags.list() == []
