#!/usr/bin/env python3
"""Generates the OpenAPI documents this server serves from Kaiten's published contract.

The contract (kaitencloud/sdk-python's `openapi.yaml` and `platform-openapi.yaml`, Apache-2.0) is the
source of the facts: paths, methods, operation ids, parameters, JSON names, types, formats, patterns,
bounds, enums, required lists, status codes, media types, security requirements and scopes. This script
keeps exactly the operations the server implements, and every component schema they reach, and replaces
the contract's prose (summaries and descriptions, examples) with this project's own. Where this project has
no text of its own for a schema property, the property simply carries no description.

Operations the contract does not have (health, readiness, token validation) are added here and marked
`x-kaiten-extension: true`, as are the 413 and 415 responses of operations that take a request body, the usage
report's optional `transactionId` and the usage report's `Idempotent-Replayed` and `Kaiten-Metadata-Dropped`
response headers, and the webhook management operations under `/webhooks` (the contract reserves their
scopes but has no operations).

Usage (from the repository root):

    python scripts/generate-openapi.py [--contract ../shared/contract] [--output Sources/KaitenApp/Resources]
    python scripts/generate-openapi.py --check   # exit 1 when the committed files are stale

Output is pretty-printed JSON with sorted keys, so regenerating from the same inputs changes nothing.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

# --------------------------------------------------------------------------------------------------------
# What is implemented.

CORE_OPERATIONS = [
    "list-customers",
    "create-customer",
    "get-customer",
    "update-customer",
    "delete-customer",
    "get-customer-integration",
    "create-customer-integration",
    "update-customer-integration",
    "delete-customer-integration",
    "get-customer-integration-by-external-id",
    "upsert-customer-integration-by-external-id",
    # Connectors
    "list-connectors",
    "get-connector",
    "get-connector-state",
    "activate-connector",
    "deactivate-connector",
    "get-connector-settings-schema",
    "get-connector-settings",
    "update-connector-settings",
    "delete-connector-settings",
    "get-service-accounts",
    "create-service-account",
    "get-service-account",
    "update-service-account",
    "get-service-account-tokens",
    "create-service-account-token",
    "delete-service-account-token",
    # Licenses
    "get-licenses",
    "create-license",
    "get-license",
    "update-license",
    "delete-license",
    "publish-license",
    "archive-license",
    "unarchive-license",
    "get-license-entitlements",
    "associate-entitlement-with-license",
    "get-license-entitlement",
    "update-license-entitlement",
    "delete-license-entitlement",
    "list-license-families",
    "get-license-family",
    # Metadata fields
    "list-metadata-fields",
    "create-metadata-field",
    "reorder-metadata-fields",
    "update-metadata-field",
    "archive-metadata-field",
    "unarchive-metadata-field",
    "dry-run-metadata-field",
    # Entitlements and entitlement groups
    "list-entitlements",
    "create-entitlement",
    "get-entitlement",
    "update-entitlement",
    "delete-entitlement",
    "list-entitlement-groups",
    "create-entitlement-group",
    "get-entitlement-group",
    "update-entitlement-group",
    "delete-entitlement-group",
    "add-entitlement-to-group",
    "remove-entitlement-from-group",
    "get-entitlement-group-usage",
    # Instances
    "getInstances",
    "createInstance",
    "getInstance",
    "updateInstance",
    "patchInstance",
    "deleteInstance",
    "getEntitlementsUsageMetrics",
    "getEntitlementUsageMetrics",
    "reportEntitlementUsageMetric",
    "getAuditTrails",
    "listNotifications",
    "markNotificationsRead",
    "getNotificationPreferences",
    "putNotificationPreferences",
    "get-instance-integration",
    "create-instance-integration",
    "update-instance-integration",
    "delete-instance-integration",
    "get-instance-integration-by-external-id",
    "upsert-instance-integration-by-external-id",
    # Feature flags
    "get-feature-flags",
    "create-feature-flag",
    "get-feature-flag",
    "update-feature-flag",
    "delete-feature-flag",
    "get-targeting-context",
    "lint-targeting-rule",
    "test-targeting-rule",
    "evaluateFlag",
    "evaluateFlagsBulk",
    "get-openfeature-manifest",
    # Components, releases and deployment zones
    "list-components",
    "create-component",
    "get-component",
    "update-component",
    "delete-component",
    "list-releases",
    "create-release",
    "get-release-by-slug",
    "delete-release",
    "list-deployment-zones",
    "create-deployment-zone",
    "get-deployment-zone-by-slug",
    "update-deploymentZone",
    "delete-deployment-zone",
]

CORE_WEBHOOKS = [
    "com.kaiten.customer.v1.created",
    "com.kaiten.customer.v1.updated",
    "com.kaiten.customer.v1.deleted",
    "com.kaiten.identity.v1.system_token_issued",
    "com.kaiten.license.v1.archived",
    "com.kaiten.license.v1.created",
    "com.kaiten.license.v1.deleted",
    "com.kaiten.license.v1.published",
    "com.kaiten.license.v1.unarchived",
    "com.kaiten.license.v1.updated",
    "com.kaiten.license.entitlement.v1.assigned",
    "com.kaiten.license.entitlement.v1.unassigned",
    "com.kaiten.license.entitlement.v1.updated",
    "com.kaiten.license_family.v1.created",
    "com.kaiten.license_family.v1.deleted",
    "com.kaiten.license_family.v1.updated",
    "com.kaiten.metadata_field.v1.archived",
    "com.kaiten.metadata_field.v1.created",
    "com.kaiten.metadata_field.v1.reordered",
    "com.kaiten.metadata_field.v1.unarchived",
    "com.kaiten.metadata_field.v1.updated",
    "com.kaiten.entitlement.v1.created",
    "com.kaiten.entitlement.v1.deleted",
    "com.kaiten.entitlement.v1.updated",
    "com.kaiten.entitlement_group.v1.created",
    "com.kaiten.feature_flag.v1.created",
    "com.kaiten.feature_flag.v1.updated",
    "com.kaiten.feature_flag.v1.deleted",
    "com.kaiten.feature_flag.v1.evaluated",
    "com.kaiten.entitlement_group.v1.deleted",
    "com.kaiten.entitlement_group.v1.updated",
    "com.kaiten.instance.v1.created",
    "com.kaiten.instance.v1.deleted",
    "com.kaiten.instance.v1.deployed",
    "com.kaiten.instance.v1.lifecycle_stage_changed",
    "com.kaiten.instance.v1.migrated",
    "com.kaiten.instance.v1.status_changed",
    "com.kaiten.instance.v1.updated",
    "com.kaiten.instance.entitlement.v1.cap_exceeded",
    "com.kaiten.instance.entitlement.v1.usage_period_rolled_over",
    "com.kaiten.instance.entitlement.v1.usage_reached",
    "com.kaiten.instance.entitlement.v1.usage_report_accepted",
    "com.kaiten.instance.entitlement.v1.usage_report_rejected",
    "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached",
    "com.kaiten.instance.entitlement.v1.value_get",
    "com.kaiten.component.v1.created",
    "com.kaiten.component.v1.updated",
    "com.kaiten.component.v1.deleted",
    "com.kaiten.release.v1.created",
    "com.kaiten.release.v1.deleted",
    "com.kaiten.deployment_zone.v1.created",
    "com.kaiten.deployment_zone.v1.updated",
    "com.kaiten.deployment_zone.v1.deleted",
    "com.kaiten.deployment_zone.v1.release_deployed",
]

# The platform document is served whole: every operation it has is implemented.
PLATFORM_OPERATIONS = [
    "register-connector",
    "get-platform-me",
    "ensure-organization",
    "delete-organization",
    "get-organization",
    "delete-membership",
    "list-organization-tokens",
    "mint-organization-token",
    "revoke-organization-token",
    "delete-user",
]

# --------------------------------------------------------------------------------------------------------
# Our own words.

INFO = {
    "core": {
        "title": "Kaiten API",
        "description": (
            "The organization-facing API of this Kaiten server. Every request acts inside exactly one "
            "organization: the one the bearer credential belongs to. Errors are RFC 9457 problem documents "
            "(`application/problem+json`) with a stable `code`. Collections are paged with an opaque "
            "`cursor` and a `limit`."
        ),
    },
    "platform": {
        "title": "Kaiten Platform API",
        "description": (
            "Operator-level API of this Kaiten server, served on its own listener and meant to stay inside "
            "your infrastructure. It only accepts platform tokens (`ksm_…`), which act as the platform "
            "identity `system:kaiten`; operations on an organization take its id from the path."
        ),
    },
}

SECURITY_SCHEME_TEXT = {
    "bearerAuth": (
        "Send `Authorization: Bearer <credential>`, where the credential is either a Kaiten access token "
        "(`ksh_…`) or a JWT from the configured identity provider. Each operation lists the scope it needs. "
        "A `write:` scope also grants the matching `read:` scope, and `read:*` / `write:*` cover every "
        "module. `x-kaiten-scopes` enumerates all scopes a credential may hold."
    ),
    "platformAuth": (
        "Send `Authorization: Bearer <platform token>` with a `ksm_…` token. Organization credentials are "
        "refused here, and platform tokens are refused by the organization API. Each operation lists the "
        "scope it needs."
    ),
}

# operationId -> (summary, description)
OPERATION_TEXT = {
    "get-targeting-context": (
        "Describe what a targeting rule can read",
        "Returns the tree of roots and fields a rule may use: the targeting key, the caller's own context "
        "attributes, and the facts the server fills under `__kaiten`, with the organization's entitlement slugs.",
    ),
    "lint-targeting-rule": (
        "Lint a targeting rule",
        "Parses and checks a CEL rule as the flag editor types it: syntax, unknown functions, arity, the cost "
        "estimate and `__kaiten` fields. A rule with issues is still a 200, with `valid` false.",
    ),
    "test-targeting-rule": (
        "Try a targeting rule against a context",
        "Runs the rule once for the given targeting key and context and shows the facts it saw. Records nothing.",
    ),
    "evaluateFlag": (
        "Evaluate one flag (OFREP)",
        "Evaluates the flag whose slug is `key` for the context. An evaluation that gives no value answers 400 "
        "with an OpenFeature error code: `FLAG_NOT_FOUND`, `TARGETING_KEY_MISSING` for a split without a key, "
        "`INVALID_CONTEXT` for a body that is not `{\"context\": {…}}`.",
    ),
    "evaluateFlagsBulk": (
        "Evaluate every flag (OFREP)",
        "Evaluates all the organization's flags for the context. The answer carries an `ETag`; send it back as "
        "`If-None-Match` to get 304 while nothing the evaluation reads has changed.",
    ),
    "get-openfeature-manifest": (
        "List flags for OpenFeature code generation",
        "Returns the flags whose metadata names a `fallback_value`, with that value as their default.",
    ),
    # Components, releases and deployment zones
    "list-components": (
        "Page through components",
        "Returns one page of the organization's components, newest first. Every version of a component is an "
        "entry of its own.",
    ),
    "create-component": (
        "Create a component",
        "Creates one version of a component: a name and a version, unique together in the organization. "
        "`previousComponentId` names the version it follows, if any. The slug is generated from the name and "
        "the version when left out.",
    ),
    "get-component": (
        "Fetch one component",
        "Returns the component version with this slug.",
    ),
    "update-component": (
        "Change a component",
        "A component no release holds is changed in place; a slug or description left out keeps its value. A "
        "component some release holds is left as it is, so that the release keeps describing what it shipped: "
        "the change becomes a new component whose `previousComponentId` is the held one, under the slug sent or "
        "a generated one, and it must change the name or the version (otherwise 400 "
        "`UpdateComponent.LinkedComponentRequiresNewVersion`). Either way the answer is the component written. "
        "`previousComponentId` cannot be sent here.",
    ),
    "delete-component": (
        "Remove a component",
        "Deletes the component version with this slug. One that a release holds cannot be deleted (409 "
        "`DeleteComponent.LinkedComponentConflict`). Succeeds with 204 and no body.",
    ),
    "list-releases": (
        "Page through releases",
        "Returns one page of the organization's releases, newest first, each with the components it holds.",
    ),
    "create-release": (
        "Create a release",
        "Creates a release from a version, unique in the organization, and the ids of the components it is "
        "made of (repeats count once; an id that is not one of the organization's components is a 404). "
        "Releases never change afterwards, components included: there is no update.",
    ),
    "get-release-by-slug": (
        "Fetch one release",
        "Returns the release with this slug and the components it holds.",
    ),
    "delete-release": (
        "Remove a release",
        "Deletes the release with this slug; its components stay. A release that the deployment log of a zone "
        "records cannot be deleted (409 `DeleteRelease.InUseConflict`). Succeeds with 204 and no body.",
    ),
    "list-deployment-zones": (
        "Page through deployment zones",
        "Returns one page of the organization's deployment zones, newest first, each with the release it runs.",
    ),
    "create-deployment-zone": (
        "Create a deployment zone",
        "Creates a place where customers run the product. `metadata` must satisfy the organization's "
        "`DEPLOYMENT_ZONE` metadata fields, and keys that no field declares are refused (422). A `releaseId` "
        "records the zone's first deployment; a release that is not the organization's is a 404.",
    ),
    "get-deployment-zone-by-slug": (
        "Fetch one deployment zone",
        "Returns the deployment zone with this slug and the release it currently runs.",
    ),
    "update-deploymentZone": (
        "Replace a deployment zone's details",
        "Overwrites the zone's name, type, description and metadata with the body (metadata is validated as on "
        "create). A `releaseId` other than the current one records a deployment, also when the zone ran that "
        "release before (a rollback); leaving it out or sending the current one records nothing. The slug "
        "cannot be changed: leave it out or send the current one. Succeeds with 204 and no body.",
    ),
    "delete-deployment-zone": (
        "Remove a deployment zone",
        "Deletes the zone with this slug and its deployment log. Its instances stay, in no zone. Succeeds with "
        "204 and no body.",
    ),
    # Feature flags
    "get-feature-flags": (
        "Page through feature flags",
        "Returns one page of the organization's feature flags, newest first.",
    ),
    "create-feature-flag": (
        "Create a feature flag",
        "Creates a flag from its variants, its default strategy and its ordered targeting rules. A definition "
        "whose variants, strategies or rules do not fit together is refused with 400 `VALIDATION_FAILED`, "
        "listing each problem at its location; a slug already taken with 409.",
    ),
    "get-feature-flag": (
        "Fetch one feature flag",
        "Returns the flag with this slug.",
    ),
    "update-feature-flag": (
        "Replace a feature flag's definition",
        "Overwrites the whole definition with the body; the slug stays. Succeeds with 204 and no body.",
    ),
    "delete-feature-flag": (
        "Remove a feature flag",
        "Deletes the flag with this slug; evaluating it then answers `FLAG_NOT_FOUND`. Succeeds with 204.",
    ),
    # Customers
    "list-customers": (
        "Page through customers",
        "Returns one page of the organization's customers. Pass a page's `nextCursor` back as `cursor` "
        "to read the following page; the last page has `hasMore: false` and no `nextCursor`.",
    ),
    "create-customer": (
        "Add a customer",
        "Creates a customer in the caller's organization and returns it. Without a `slug`, one is derived "
        "from the name; a slug that is already taken is refused with 409.",
    ),
    "get-customer": (
        "Fetch one customer",
        "Returns the customer with this slug in the caller's organization.",
    ),
    "update-customer": (
        "Replace a customer's details",
        "Overwrites the customer's editable fields with the body; an optional field left out is cleared. "
        "`slug` and `integrations` cannot be changed here: leave them out or send the values already "
        "stored. Succeeds with 204 and no body.",
    ),
    "delete-customer": (
        "Remove a customer",
        "Deletes the customer with this slug. Succeeds with 204 and no body.",
    ),
    # Notifications
    "listNotifications": (
        "Read the caller's notification feed",
        "The audit trail of the caller's organization, narrowed to the events the caller receives, newest first, "
        "with how many are unread (counted up to 100). Pages hold 1 to 50 notifications, 20 by default; "
        "`nextCursor` is null on the last page.",
    ),
    "markNotificationsRead": (
        "Mark notifications as read",
        "Marks the listed notifications read for the caller, or all of them up to now with `all: true`. Ids "
        "that name no notification of this organization are skipped, so a retried call is harmless.",
    ),
    "getNotificationPreferences": (
        "Read the caller's notification choices",
        "Lists every event a notification can report, with the caller's choice per channel, or the default "
        "where the caller made none.",
    ),
    "putNotificationPreferences": (
        "Change the caller's notification choices",
        "Sets the choices for the events sent, keeps the others, and answers the whole matrix. A choice equal "
        "to the default is forgotten, so later changes of the default apply.",
    ),
    # Connectors
    "list-connectors": (
        "List the connectors this deployment offers",
        "Returns every registered connector, ordered by name. Not paged.",
    ),
    "get-connector": (
        "Fetch one connector",
        "Returns the connector registered under this name (`kaiten.integration.crm.attio`).",
    ),
    "get-connector-state": (
        "Tell whether a connector can be and is used",
        "Answers separately whether this deployment registered the connector (`available`), whether the "
        "organization's licenses grant the entitlement gating it (`entitled`) and whether the organization "
        "turned it on (`activated`). A name nobody registered is `available: false`, never a 404.",
    ),
    "activate-connector": (
        "Turn a connector on",
        "Activates the connector for the organization; activating again keeps the first time. 404 "
        "`ActivateConnector.NotRegistered` for an unknown connector, 403 `ActivateConnector.NotEntitled` when "
        "no published license of the organization grants the BOOLEAN entitlement the connector names.",
    ),
    "deactivate-connector": (
        "Turn a connector off",
        "Deactivates the connector for the organization, whether or not it was on, registered or licensed. "
        "Succeeds with 204.",
    ),
    "get-connector-settings-schema": (
        "Fetch the schema of a connector's settings",
        "Returns the JSON Schema the connector registered for its settings, with its version.",
    ),
    "get-connector-settings": (
        "Fetch the organization's settings of a connector",
        "Returns the stored settings; every set secret (a `writeOnly` property of the schema) reads as `***`. "
        "404 `GetConnectorSettings.NotFound` when none are stored.",
    ),
    "update-connector-settings": (
        "Configure a connector",
        "Replaces the settings and activates the connector, under the same checks as activating it. A secret "
        "left out, empty or sent back as `***` keeps the stored one. Settings that fail the connector's schema "
        "are a 400 `UpdateConnectorSettings.InvalidPayloadSchema`, listing each failure.",
    ),
    "delete-connector-settings": (
        "Forget a connector's settings",
        "Deletes the organization's settings of the connector and deactivates it. Succeeds with 204.",
    ),
    # Integrations
    "get-customer-integration": (
        "Fetch a customer's link to an adapter",
        "Returns the customer's link to its record in the third-party system the integration name stands for "
        "(`kaiten.integration.crm.attio`). 404 `GetCustomerIntegration.NotFound` when it has none.",
    ),
    "create-customer-integration": (
        "Link a customer to a third-party record",
        "Records which record of the adapter stands for this customer; `synced_at` is set by the server. A "
        "customer already linked through this adapter is a 409 `CreateCustomerIntegration.AlreadyExists`, and a "
        "record already linked to another customer a 409 `CreateCustomerIntegration.ExternalIDConflict`. The "
        "adapter name may be any non-blank name.",
    ),
    "update-customer-integration": (
        "Replace a customer's link to an adapter",
        "Overwrites the existing link with the body, stamps `synced_at` and returns the link (200).",
    ),
    "delete-customer-integration": (
        "Unlink a customer from an adapter",
        "Removes the customer's link to the adapter. Succeeds with 204 and no body.",
    ),
    "get-customer-integration-by-external-id": (
        "Find the customer linked to a third-party record",
        "Looks the customer up by the adapter (without its `kaiten.integration.` prefix, e.g. `crm.attio`) and "
        "the record's id there. 404 `Integration.CustomerNotFound` when no customer is linked to it.",
    ),
    "upsert-customer-integration-by-external-id": (
        "Create or update the customer linked to a third-party record",
        "When no customer is linked to the record, creates one linked to it (`name` is then required). "
        "Otherwise changes only what the body sends. Answers the customer as seen through that link.",
    ),
    "get-instance-integration": (
        "Fetch an instance's link to an adapter",
        "Returns the instance's link to its record in the third-party system the integration name stands for. "
        "404 `GetInstanceIntegration.NotFound` when it has none.",
    ),
    "create-instance-integration": (
        "Link an instance to a third-party record",
        "Records which record of the adapter stands for this instance; `synced_at` is set by the server. An "
        "instance already linked through this adapter is a 409 `CreateInstanceIntegration.AlreadyExists`, and a "
        "record already linked to another instance a 409 `CreateInstanceIntegration.ExternalIDConflict`.",
    ),
    "update-instance-integration": (
        "Replace an instance's link to an adapter",
        "Overwrites the existing link with the body, stamps `synced_at` and returns the link (200).",
    ),
    "delete-instance-integration": (
        "Unlink an instance from an adapter",
        "Removes the instance's link to the adapter. Succeeds with 204 and no body.",
    ),
    "get-instance-integration-by-external-id": (
        "Find the instance linked to a third-party record",
        "Looks the instance up by the adapter (without its `kaiten.integration.` prefix) and the record's id "
        "there. 404 `Integration.InstanceNotFound` when no instance is linked to it.",
    ),
    "upsert-instance-integration-by-external-id": (
        "Create or update the instance linked to a third-party record",
        "When no instance is linked to the record, creates one linked to it, for the customer linked to "
        "`customerExternalId` in the same adapter; name, description, license and license term are then "
        "required. Otherwise changes only what the body sends.",
    ),
    # Service accounts
    "get-service-accounts": (
        "Page through service accounts",
        "Returns one page of the organization's service accounts, the non-human users that own API "
        "tokens. Paging works as for every list: `cursor` from the previous `nextCursor`, and `limit`.",
    ),
    "create-service-account": (
        "Add a service account",
        "Creates a service account. Tokens for it are issued separately, under "
        "`/service-accounts/{serviceAccountSlug}/tokens`.",
    ),
    "get-service-account": (
        "Fetch one service account",
        "Returns the service account with this slug, with the metadata of its tokens (never their "
        "secret values).",
    ),
    "update-service-account": (
        "Rename a service account",
        "Changes the service account's name. Succeeds with 204 and no body.",
    ),
    "get-service-account-tokens": (
        "Page through a service account's tokens",
        "Returns one page of the tokens issued to the service account. Only metadata is listed; a "
        "token's secret value is shown once, when it is created, and never again.",
    ),
    "create-service-account-token": (
        "Issue a token for a service account",
        "Creates an access token (`ksh_…`) owned by the service account. The response's `token` field "
        "carries the secret, and this is the only response that ever does.",
    ),
    "delete-service-account-token": (
        "Revoke a service account token",
        "Revokes the token at once: requests that present it are refused from then on. Succeeds with 204 "
        "and no body.",
    ),
    # Licenses
    "get-licenses": (
        "Page through licenses",
        "Returns one page of the organization's licenses, every version of every family, whatever its "
        "lifecycle state. Paging works as for every list: `cursor` from the previous `nextCursor`, and `limit`.",
    ),
    "create-license": (
        "Add a license, or a new version of one",
        "Without `familySlug` or `familyId` the license opens a new family as its version 1. Naming a family "
        "(by slug, by id, or both when they agree) adds that family's next version; the server picks the "
        "version number. A version starts PUBLISHED unless `lifecycleState` is DRAFT, and only a published "
        "version may be the family's default.",
    ),
    "get-license": (
        "Fetch one license version",
        "Returns the license version with this slug, in any lifecycle state.",
    ),
    "update-license": (
        "Replace a license version's details",
        "Overwrites the version's editable fields with the body. The version number, its family and its "
        "lifecycle state are not changed here (lifecycle moves have their own operations). Succeeds with 204 "
        "and no body.",
    ),
    "delete-license": (
        "Remove a license version",
        "Deletes the license version with this slug; a version that instances still use is refused with 409. "
        "Removing a family's last version removes the family too, and its slug becomes free. Version numbers "
        "are never handed out twice. Succeeds with 204 and no body.",
    ),
    "publish-license": (
        "Put a draft version on sale",
        "Moves a DRAFT version to PUBLISHED and returns it. Anything but a draft is refused with 409; an "
        "archived version goes back on sale through unarchive instead.",
    ),
    "archive-license": (
        "Withdraw a published version from sale",
        "Moves a PUBLISHED version to ARCHIVED and returns it: no instance can be given it from now on, while "
        "the instances already on it keep it. Drafts, and the version that is its family's default, are "
        "refused with 409.",
    ),
    "unarchive-license": (
        "Put an archived version back on sale",
        "Moves an ARCHIVED version back to PUBLISHED and returns it. Anything but an archived version is "
        "refused with 409.",
    ),
    "get-license-entitlements": (
        "Page through a license's grants",
        "Returns one page of the entitlements this license version grants, each with its granted value.",
    ),
    "associate-entitlement-with-license": (
        "Grant an entitlement in a license",
        "Adds a grant of an existing entitlement to the license version, with the value the license gives "
        "it. The value's type must match the entitlement's type. Granting the same entitlement twice is "
        "refused with 409. Succeeds with 204 and no body.",
    ),
    "get-license-entitlement": (
        "Fetch one grant of a license",
        "Returns the grant of this entitlement in this license version.",
    ),
    "update-license-entitlement": (
        "Change a grant's value",
        "Replaces the value (and the overage setting) of the grant of this entitlement in this license "
        "version. Succeeds with 204 and no body.",
    ),
    "delete-license-entitlement": (
        "Withdraw a grant from a license",
        "Removes the grant of this entitlement from the license version; the entitlement itself stays. "
        "Succeeds with 204 and no body.",
    ),
    "list-license-families": (
        "Page through license families",
        "Returns one page of the organization's license families. Each carries, as `currentVersion`, the "
        "version it currently serves (its default, else its highest-numbered published version); a family "
        "with no such version is listed without one.",
    ),
    "get-license-family": (
        "Fetch a license family and the version it serves",
        "Returns the family with the version it serves as `currentVersion`: its default version, or else its "
        "highest-numbered published one. `version` addresses one version by number instead, whatever its "
        "state. `include=versions` adds all versions, oldest first, and makes a family with nothing on sale "
        "readable rather than 404.",
    ),
    # Metadata fields
    "list-metadata-fields": (
        "Page through the active metadata fields of a resource type",
        "Returns one page of the fields declared for `resourceType` that are not archived, in display order "
        "(ties broken by creation time).",
    ),
    "create-metadata-field": (
        "Declare a metadata field",
        "Declares a typed field that resources of `resourceType` may carry in their `metadata`. Its "
        "`jsonSchema` must be a valid JSON Schema 2020-12 document; a `key` already used by an active field "
        "of the same resource type is refused with 409.",
    ),
    "reorder-metadata-fields": (
        "Set the display order of metadata fields",
        "Gives each listed field the display order of its position in `ids`, starting at 0, all at once. The "
        "fields must be active, and of one resource type of the caller's organization. Succeeds with 204 and "
        "no body.",
    ),
    "update-metadata-field": (
        "Change a metadata field's label or schema",
        "Changes `label` and `jsonSchema` and returns the field. `key` and `resourceType` cannot change (send "
        "the stored values or leave them out), and the display order is set by reorder only. A new schema "
        "that changes the value's type or cardinality, or switches between free text and an enum, is refused "
        "with 422.",
    ),
    "archive-metadata-field": (
        "Retire a metadata field",
        "Retires the field and returns it: it leaves the list of active fields and stops constraining new "
        "metadata, while values already stored remain readable.",
    ),
    "unarchive-metadata-field": (
        "Restore an archived metadata field",
        "Makes an archived field active again and returns it. Refused with 409 when an active field of the "
        "same resource type now uses its key, and with 404 when the field is not archived.",
    ),
    "dry-run-metadata-field": (
        "Preview the impact of a schema change",
        "Counts the resources whose stored value for this field would fail the candidate `jsonSchema`, and "
        "names a few of them. Changes nothing.",
    ),
    # Entitlements
    "list-entitlements": (
        "Page through entitlements",
        "Returns one page of the organization's entitlements: the features and quotas that licenses grant.",
    ),
    "create-entitlement": (
        "Define an entitlement",
        "Creates an entitlement of a given type (a BOOLEAN feature, a NUMBER quota, or a CONFIG object) and "
        "returns it. Quotas may be metered per period (`resetPeriod` with `resetAnchor`) and carry unit "
        "labels. A slug that is already taken is refused with 409.",
    ),
    "get-entitlement": (
        "Fetch one entitlement",
        "Returns the entitlement with this slug, with the groups it belongs to.",
    ),
    "update-entitlement": (
        "Replace an entitlement's definition",
        "Overwrites the entitlement's editable fields with the body; the type and a metering period once set "
        "cannot change. Succeeds with 204 and no body.",
    ),
    "delete-entitlement": (
        "Remove an entitlement",
        "Deletes the entitlement with this slug. Succeeds with 204 and no body.",
    ),
    # Entitlement groups
    "list-entitlement-groups": (
        "Page through entitlement groups",
        "Returns one page of the organization's entitlement groups.",
    ),
    "create-entitlement-group": (
        "Create an entitlement group",
        "Creates a named group that collects entitlements, for presenting and aggregating them together. A "
        "slug that is already taken is refused with 409.",
    ),
    "get-entitlement-group": (
        "Fetch one entitlement group",
        "Returns the entitlement group with this slug.",
    ),
    "update-entitlement-group": (
        "Replace an entitlement group's details",
        "Overwrites the group's name and description with the body. Succeeds with 204 and no body.",
    ),
    "delete-entitlement-group": (
        "Remove an entitlement group",
        "Deletes the group; its member entitlements are kept. Succeeds with 204 and no body.",
    ),
    "add-entitlement-to-group": (
        "Make an entitlement a member of a group",
        "Makes an existing entitlement a member of the group. An entitlement that is already a member is "
        "refused with 409.",
    ),
    "remove-entitlement-from-group": (
        "Take an entitlement out of a group",
        "Ends the entitlement's membership of the group; the entitlement itself is kept. Succeeds with 204 "
        "and no body.",
    ),
    "get-entitlement-group-usage": (
        "Usage of a group's entitlements on one instance",
        "For the instance named by `instance`, lists each member entitlement with what the instance's "
        "license grants and how much has been used in the current window.",
    ),
    # Instances
    "getInstances": (
        "Page through instances",
        "Returns one page of the organization's instances: the deployments of your product that customers "
        "run, each on one license version.",
    ),
    "createInstance": (
        "Register an instance",
        "Creates an instance for a customer, on a license version and for a license period, and returns it. "
        "The customer and license (and deployment zone, if given) may be named by id or slug. An archived "
        "license version cannot be given to an instance. `metadata` must satisfy the active metadata fields "
        "of instances.",
    ),
    "getInstance": (
        "Fetch one instance",
        "Returns the instance with this slug.",
    ),
    "updateInstance": (
        "Replace an instance's details",
        "Overwrites the instance's editable fields with the body. Succeeds with 204 and no body.",
    ),
    "patchInstance": (
        "Change an instance's status or lifecycle stage",
        "Sets the operational `status` and/or the commercial `lifecycleStage`; whatever is left out keeps its "
        "value. Succeeds with 204 and no body.",
    ),
    "deleteInstance": (
        "Remove an instance",
        "Deletes the instance with this slug, together with its usage. Succeeds with 204 and no body.",
    ),
    "getEntitlementsUsageMetrics": (
        "Usage of every entitlement on an instance",
        "Lists, for each entitlement that the instance's license grants, the value in force on the instance "
        "and the license's grant it is measured against.",
    ),
    "getEntitlementUsageMetrics": (
        "Usage of one entitlement on an instance",
        "Returns the value of this entitlement on the instance and the grant it is measured against. Every "
        "read is recorded in the instance's audit trail.",
    ),
    "reportEntitlementUsageMetric": (
        "Report usage of a quota",
        "Counts a usage report of a NUMBER entitlement on the instance and returns the resulting usage: "
        "`append` folds the value into the current window's total, `set` replaces it. A report that would "
        "exceed a hard cap is refused with 409 and not counted. The server dates each report on receipt. As "
        "an extension, a `transactionId` makes retries safe: resending the same report under it answers the "
        "first answer again (with `Idempotent-Replayed: true`) and counts it once.",
    ),
    "getAuditTrails": (
        "Page through an instance's audit trail",
        "Returns one page of the events recorded for the instance, newest first, optionally only those of one "
        "`event_name` and between `after` and `before`.",
    ),
    # Platform
    "register-connector": (
        "Register a connector",
        "Adds a connector to the registry shared by all organizations, or replaces the registration that "
        "has the same name. An `entitlement_slug` makes activation depend on a license entitlement.",
    ),
    "get-platform-me": (
        "Describe the calling credential",
        "Returns the platform credential that authenticated this request: its name, slug, subject and "
        "scopes.",
    ),
    "ensure-organization": (
        "Create an organization unless it exists",
        "Idempotent. The organization's id is derived from `externalId`, so repeating the call converges "
        "on the same organization and answers 200 each time. `name` is only used when the organization "
        "is created.",
    ),
    "delete-organization": (
        "Delete an organization and all it owns",
        "Deletes the organization with this id together with everything it owns. Succeeds with 204 and no "
        "body.",
    ),
    "get-organization": (
        "Fetch an organization",
        "Returns the organization with this id.",
    ),
    "delete-membership": (
        "Remove a member from an organization",
        "Ends one user's membership of the organization, for good: signing in again does not restore it. "
        "The membership of the platform identity itself cannot be removed (403).",
    ),
    "list-organization-tokens": (
        "List the tokens this credential minted in an organization",
        "Returns the organization tokens, still valid, that the calling platform credential minted in "
        "this organization, so that one can be revoked by its slug. Secret values are not included.",
    ),
    "mint-organization-token": (
        "Mint an organization token",
        "Issues an access token (`ksh_…`) for the platform identity inside the organization. `scopes` must "
        "be a subset of the caller's and defaults to all of them; `ttl` is a Go duration such as `15m`, and "
        "without it the token does not expire. The secret is returned in this response only. Revoking the "
        "minting platform credential revokes the tokens it minted.",
    ),
    "revoke-organization-token": (
        "Revoke a minted organization token",
        "Revokes one token that the calling platform credential minted in this organization. Succeeds "
        "with 204 and no body.",
    ),
    "delete-user": (
        "Delete a user account",
        "Deletes the user with this id from every organization. The platform identity itself cannot be "
        "deleted (403).",
    ),
}

# Parameter name -> description.
PARAMETER_TEXT = {
    "key": "The flag's slug.",
    "If-None-Match": "The `ETag` of an earlier bulk evaluation.",
    "featureFlagSlug": "The feature flag's slug, which is also its evaluation key.",
    "cursor": "The `nextCursor` of the previous page. Leave out to start at the first page.",
    "limit": "How many items to return at most: 1 to 200, 50 when left out.",
    "customerSlug": "The customer's slug.",
    "serviceAccountSlug": "The service account's slug.",
    "tokenSlug": "The token's slug.",
    "licenseSlug": "The license version's slug.",
    "familySlug": "The license family's slug.",
    "entitlementSlug": "The entitlement's slug.",
    "entitlementGroupSlug": "The entitlement group's slug.",
    "instanceSlug": "The instance's slug.",
    "componentSlug": "The component version's slug.",
    "releaseSlug": "The release's slug.",
    "deploymentZoneSlug": "The deployment zone's slug.",
    "connectorName": "The connector's name, e.g. `kaiten.integration.crm.attio`.",
    "integrationName": "The adapter's name, e.g. `kaiten.integration.crm.attio`.",
    "adapter": "The adapter's name without the `kaiten.integration.` prefix, e.g. `crm.attio`.",
    "status": "`unread` for unread notifications only; `all` (the default) for every one.",
    "objectType": "Only notifications about these kinds of object; repeat the parameter for several.",
    "externalId": "The record's id in the third-party system.",
    "instance": "The slug of the instance whose usage to report.",
    "version": "Read this version number of the family, in whatever lifecycle state, instead of the one it serves.",
    "include": "Extra parts to return, comma-separated. `versions` adds every version of the family.",
    "resourceType": "The kind of resource whose fields to list.",
    "event_name": "Only entries with exactly this event name, e.g. `ENTITLEMENT_VALUE_GET`.",
    "after": "Only entries at or after this RFC 3339 time.",
    "before": "Only entries at or before this RFC 3339 time.",
    "orgId": "The organization's id (a UUID).",
    "userId": "The user's id (a UUID).",
    "id": "The user's id (a UUID).",
}

# (operationId, parameter name) -> description, where a name means something else in that operation.
PARAMETER_TEXT_BY_OPERATION = {
    (operation_id, "id"): "The metadata field's id (a UUID)."
    for operation_id in ("update-metadata-field", "archive-metadata-field", "unarchive-metadata-field", "dry-run-metadata-field")
}
PARAMETER_TEXT_BY_OPERATION[("listNotifications", "limit")] = "How many notifications to return at most: 1 to 50, 20 when left out."

# Status code -> description of the response.
RESPONSE_TEXT = {
    "200": "Success.",
    "201": "Created.",
    "204": "Success. The response has no body.",
    "400": "The request could not be read (malformed JSON, wrong content).",
    "401": "No credential, or one that is unknown, expired or revoked.",
    "403": "The credential may not perform this operation (missing scope, or the wrong kind of credential).",
    "404": "Nothing exists at this address.",
    "409": "The request conflicts with the current state, for example a slug that is already taken.",
    "304": "Nothing changed since the evaluation whose `ETag` the request sent; no body.",
    "413": "The request body is larger than this server accepts.",
    "415": "The request body is declared as something other than JSON (`application/json` or a `+json` type).",
    "429": "Reserved by OFREP for rate limiting; this server does not rate-limit evaluations.",
    "422": "The request is well-formed but invalid; `errors` lists each offending location.",
    "500": "The server failed. `errorId` identifies the log entry with the cause.",
    "503": "The server cannot serve the request right now; retry later.",
}

# Webhook event type -> (summary, description)
WEBHOOK_TEXT = {
    "com.kaiten.feature_flag.v1.evaluated": (
        "A feature flag was evaluated",
        "Delivered for OFREP evaluations, asynchronously and best effort: under overload some are dropped and "
        "counted. `data` names the flag, the reason and variant or the error; never the evaluation context.",
    ),
    "com.kaiten.feature_flag.v1.created": (
        "A feature flag was created",
        "Delivered after a flag is created. `data` is the new flag.",
    ),
    "com.kaiten.feature_flag.v1.updated": (
        "A feature flag changed",
        "Delivered after a flag's definition is replaced. `data` is the flag after the change.",
    ),
    "com.kaiten.feature_flag.v1.deleted": (
        "A feature flag was removed",
        "Delivered after a flag is deleted. `data` is the flag as it was just before.",
    ),
    "com.kaiten.customer.v1.created": (
        "A customer was created",
        "Delivered after a customer is created. `data` is the new customer.",
    ),
    "com.kaiten.customer.v1.updated": (
        "A customer was updated",
        "Delivered after a customer's details are replaced. `data` is the customer after the change.",
    ),
    "com.kaiten.customer.v1.deleted": (
        "A customer was deleted",
        "Delivered after a customer is deleted. `data` is the customer as it was just before.",
    ),
    "com.kaiten.identity.v1.system_token_issued": (
        "The platform minted an organization token",
        "Delivered when a platform credential mints an organization token inside this organization. `data` "
        "identifies the minting credential, the token issued and the scopes granted; it never contains "
        "the secret.",
    ),
    "com.kaiten.license.v1.created": (
        "A license version was created",
        "Delivered after a license version is created. `data` is the new version.",
    ),
    "com.kaiten.license.v1.updated": (
        "A license version was updated",
        "Delivered after a license version's details change, including when it becomes or stops being its "
        "family's default. `data` is the version after the change.",
    ),
    "com.kaiten.license.v1.deleted": (
        "A license version was deleted",
        "Delivered after a license version is deleted. `data` is the version as it was just before.",
    ),
    "com.kaiten.license.v1.published": (
        "A draft license version went on sale",
        "Delivered after a draft version is published. `data` is the version, now PUBLISHED.",
    ),
    "com.kaiten.license.v1.archived": (
        "A license version was withdrawn from sale",
        "Delivered after a published version is archived. `data` is the version, now ARCHIVED.",
    ),
    "com.kaiten.license.v1.unarchived": (
        "A license version went back on sale",
        "Delivered after an archived version is unarchived. `data` is the version, PUBLISHED again.",
    ),
    "com.kaiten.license.entitlement.v1.assigned": (
        "A license now grants an entitlement",
        "Delivered after an entitlement is granted in a license version. `data` is the new grant.",
    ),
    "com.kaiten.license.entitlement.v1.updated": (
        "A license grant changed",
        "Delivered after the value of a grant changes. `data` is the grant after the change.",
    ),
    "com.kaiten.license.entitlement.v1.unassigned": (
        "A license no longer grants an entitlement",
        "Delivered after a grant is withdrawn from a license version. `data` is the grant as it was.",
    ),
    "com.kaiten.license_family.v1.created": (
        "A license family was opened",
        "Delivered with the creation of a license that names no family: its version 1 opens a family. `data` "
        "is the family, with the version it serves, if any.",
    ),
    "com.kaiten.license_family.v1.updated": (
        "A license family serves another version",
        "Delivered when the version a family serves changes (or it stops serving one), through publishing, "
        "archiving, unarchiving, a change of default or a deletion. `data` is the family after the change.",
    ),
    "com.kaiten.license_family.v1.deleted": (
        "A license family was removed",
        "Delivered when a family's last version is deleted, which removes the family. `data` is the family as "
        "it was before.",
    ),
    "com.kaiten.metadata_field.v1.created": (
        "A metadata field was declared",
        "Delivered after a metadata field is created. `data` is the new field.",
    ),
    "com.kaiten.metadata_field.v1.updated": (
        "A metadata field changed",
        "Delivered after a field's label or schema changes. `data` is the field after the change.",
    ),
    "com.kaiten.metadata_field.v1.archived": (
        "A metadata field was archived",
        "Delivered after a field is archived. `data` is the field, with `archivedAt` set.",
    ),
    "com.kaiten.metadata_field.v1.unarchived": (
        "A metadata field was restored",
        "Delivered after an archived field is made active again. `data` is the field.",
    ),
    "com.kaiten.metadata_field.v1.reordered": (
        "Metadata fields were reordered",
        "Delivered after a reorder. `data` lists the ids of the reordered fields in their new order.",
    ),
    "com.kaiten.entitlement.v1.created": (
        "An entitlement was defined",
        "Delivered after an entitlement is created. `data` is the new entitlement.",
    ),
    "com.kaiten.entitlement.v1.updated": (
        "An entitlement changed",
        "Delivered after an entitlement's definition is replaced. `data` is the entitlement after the change.",
    ),
    "com.kaiten.entitlement.v1.deleted": (
        "An entitlement was removed",
        "Delivered after an entitlement is deleted. `data` is the entitlement as it was just before.",
    ),
    "com.kaiten.entitlement_group.v1.created": (
        "An entitlement group was created",
        "Delivered after an entitlement group is created. `data` is the new group.",
    ),
    "com.kaiten.entitlement_group.v1.updated": (
        "An entitlement group changed",
        "Delivered after a group's details are replaced. `data` is the group after the change.",
    ),
    "com.kaiten.entitlement_group.v1.deleted": (
        "An entitlement group was removed",
        "Delivered after a group is deleted. `data` is the group as it was just before.",
    ),
    "com.kaiten.instance.v1.created": (
        "An instance was registered",
        "Delivered after an instance is created. `data` is the new instance.",
    ),
    "com.kaiten.instance.v1.updated": (
        "An instance changed",
        "Delivered after an instance's details, status or lifecycle stage change. `data` is the instance "
        "after the change.",
    ),
    "com.kaiten.instance.v1.deleted": (
        "An instance was removed",
        "Delivered after an instance is deleted. `data` is the instance as it was just before.",
    ),
    "com.kaiten.instance.v1.deployed": (
        "An instance was placed in a deployment zone",
        "Delivered when an instance without a deployment zone gets one, at creation or by an update. `data` "
        "is the instance.",
    ),
    "com.kaiten.instance.v1.migrated": (
        "An instance moved to another deployment zone",
        "Delivered when an update moves an instance from one deployment zone to another. `data` is the "
        "instance after the move.",
    ),
    "com.kaiten.instance.v1.status_changed": (
        "An instance's operational status changed",
        "Delivered when a patch changes an instance's `status`. `data` gives the previous and the new status "
        "and who changed it.",
    ),
    "com.kaiten.instance.v1.lifecycle_stage_changed": (
        "An instance's lifecycle stage changed",
        "Delivered when a patch changes an instance's `lifecycleStage`. `data` gives the previous and the new "
        "stage and who changed it.",
    ),
    "com.kaiten.instance.entitlement.v1.usage_report_accepted": (
        "A usage report was counted",
        "Delivered for every usage report that was counted, including one past a soft cap. `data` describes "
        "the report and the window's report count.",
    ),
    "com.kaiten.instance.entitlement.v1.usage_report_rejected": (
        "A usage report was refused",
        "Delivered when a report is refused because it would take usage past a hard cap; nothing was "
        "counted. `data` describes the refused report.",
    ),
    "com.kaiten.instance.entitlement.v1.usage_reached": (
        "Usage reached the granted value",
        "Delivered when a report brings an instance's usage of a quota up to what its license grants. `data` "
        "is the usage after the report.",
    ),
    "com.kaiten.instance.entitlement.v1.cap_exceeded": (
        "Usage went past a soft cap",
        "Delivered once each time usage of a soft-capped quota goes from within the cap to beyond it. `data` "
        "gives the cap, the usage and the overage.",
    ),
    "com.kaiten.instance.entitlement.v1.usage_warning_threshold_reached": (
        "Usage crossed the early-warning mark",
        "Delivered once each time usage crosses the entitlement's warning percentage of the cap, before the "
        "cap itself. `data` gives the cap, the mark and the usage.",
    ),
    "com.kaiten.instance.entitlement.v1.usage_period_rolled_over": (
        "A usage window closed",
        "Delivered for each usage window that a report closes: the stored one, plus one marked synthetic for "
        "every window that passed with no report at all. `data` gives the closed window's bounds and total "
        "and where the new one starts.",
    ),
    "com.kaiten.component.v1.created": (
        "A component was created",
        "Delivered after a component version is created. `data` is the new component.",
    ),
    "com.kaiten.component.v1.updated": (
        "A component was changed or versioned",
        "Delivered after a component is changed in place, or a held component's change is written as a new "
        "version. `data` is the component written: the new version carries `previousComponentId`.",
    ),
    "com.kaiten.component.v1.deleted": (
        "A component was deleted",
        "Delivered after a component version is deleted. `data` is the component as it was just before.",
    ),
    "com.kaiten.release.v1.created": (
        "A release was created",
        "Delivered after a release is created. `data` is the new release with its components.",
    ),
    "com.kaiten.release.v1.deleted": (
        "A release was deleted",
        "Delivered after a release is deleted. `data` is the release, components included, as it was just before.",
    ),
    "com.kaiten.deployment_zone.v1.created": (
        "A deployment zone was created",
        "Delivered after a deployment zone is created. `data` is the new zone.",
    ),
    "com.kaiten.deployment_zone.v1.updated": (
        "A deployment zone was updated",
        "Delivered after a zone's details are replaced. `data` is the zone after the change, with the release it "
        "now runs.",
    ),
    "com.kaiten.deployment_zone.v1.deleted": (
        "A deployment zone was deleted",
        "Delivered after a deployment zone is deleted. `data` is the zone as it was just before.",
    ),
    "com.kaiten.deployment_zone.v1.release_deployed": (
        "A release was deployed to a zone",
        "Delivered whenever a zone's release changes, on creation with a release or on an update, rollbacks "
        "included. `data` is the entry added to the zone's deployment log.",
    ),
    "com.kaiten.instance.entitlement.v1.value_get": (
        "An entitlement's usage was read",
        "Delivered for every read of one entitlement's usage on an instance: an audit record, not a change. "
        "`data` names what was read and the value returned.",
    ),
}
WEBHOOK_RESPONSE_TEXT = "The receiver accepted the delivery."

# Component schema name -> description.
SCHEMA_TEXT = {
    "List": "One page of the caller's notifications, with the unread count.",
    "MarkReadResult": "How many notifications the call marked read, and how many stay unread.",
    "Notification": "One audit trail entry as the caller's feed shows it.",
    "PreferenceChoices": "The choices to store, per event and channel.",
    "PreferenceEvent": "One notifiable event with the caller's choice per channel.",
    "PreferenceMatrix": "Every notifiable event with the caller's choices, and the channels served.",
    "PreferenceUpdate": "The choice for one event, per channel.",
    "ReadSelection": "Which notifications to mark read: listed by id, or all of them.",
    "ConnectorActivation": "When the organization turned the connector on.",
    "ConnectorSettings": "The organization's settings of a connector; secrets read as `***`.",
    "ConnectorSettingsSchema": "The JSON Schema a connector's settings must pass.",
    "ConnectorState": "Whether a connector is registered here, licensed to the organization and turned on.",
    "CustomerBody": "What a connector syncs of a customer; every member is optional and an absent one is kept.",
    "CustomerIntegrationResource": "A customer as seen through one of its third-party records.",
    "InstanceBody": "What a connector syncs of an instance; every member is optional and an absent one is kept.",
    "InstanceIntegrationResource": "An instance as seen through one of its third-party records.",
    "TargetingContext": "What a targeting rule can read.",
    "TargetingContextNode": "One root or field a rule can read, with its type.",
    "TargetingRuleDraft": "A targeting rule to check.",
    "TargetingRuleVerdict": "What is wrong with a rule, if anything.",
    "TargetingRuleIssue": "One problem in a rule, at its line and column.",
    "TargetingRuleTrial": "A rule with the context to try it against.",
    "TargetingRuleRehearsal": "The outcome of trying a rule: the facts, the issues and whether it matched.",
    "EvaluationRequest": "The evaluation context, under `context`.",
    "BulkEvaluationRequest": "The evaluation context, under `context`.",
    "EvaluationSuccess": "A flag's value for the context, with the variant and the reason.",
    "EvaluationFailure": "Why a flag gave no value: an OpenFeature error code and its details.",
    "BulkEvaluationFailure": "Why the bulk request could not be evaluated.",
    "ManifestEnvelope": "The flags OpenFeature tooling may generate accessors for.",
    "ManifestFlag": "One flag with its type and default.",
    "FeatureFlagEvaluated": "One evaluation's outcome, without its context.",
    "FeatureFlag": "A feature flag: the values it can serve and how it chooses one for an evaluation context.",
    "PageFeatureFlag": "One page of feature flags.",
    "Variant": "One value a flag can serve, by name.",
    "DefaultVariant": "How the flag chooses a variant when no targeting rule matches.",
    "Basic": "One variant for everyone.",
    "RolloutPercentage": "A weighted split of the targeting keys among variants, stable per key.",
    "RolloutDate": "A split that moves keys from one variant to another between two dates.",
    "RolloutStep": "One end of a date rollout: the variant and the share of keys on it at that date.",
    "Targetings": "The targeting rules, tried in order; the first whose rule holds chooses the variant.",
    "BasicTargeting": "A rule that serves one variant to the contexts it matches.",
    "RolloutPercentageTargeting": "A rule that splits the contexts it matches among variants by weight.",
    "RolloutDateTargeting": "A rule that moves the contexts it matches from one variant to another over time.",
    "Customer": "A customer of the organization: an end client that instances and licenses belong to.",
    "CustomerIntegration": "How a customer is linked to its record in one third-party system.",
    "PageCustomer": "One page of customers.",
    "ServiceAccount": "A non-human user of the organization that owns API tokens.",
    "PageServiceAccount": "One page of service accounts.",
    "Token": "The metadata of an access token. The secret value is never part of it.",
    "PlainToken": "An access token as returned once, at creation, including its secret value in `token`.",
    "PageToken": "One page of token metadata.",
    "User": "A reference to the user who performed an action.",
    "License": "One version of a licensed product: what a customer's instance is sold, in a lifecycle of draft, published and archived.",
    "PageLicense": "One page of license versions.",
    "LicenseFamilyView": "A licensed product across its versions, with the version it currently serves.",
    "PageLicenseFamilyView": "One page of license families.",
    "LicenseEntitlement": "A license's grant of one entitlement, with the value granted.",
    "PageLicenseEntitlement": "One page of a license's grants.",
    "Entitlement": "A feature or quota that licenses can grant: a BOOLEAN switch, a NUMBER quota or a CONFIG object.",
    "PageEntitlement": "One page of entitlements.",
    "EntitlementGroup": "A named collection of entitlements.",
    "EntitlementGroupSummary": "The identity of a group an entitlement belongs to.",
    "PageEntitlementGroup": "One page of entitlement groups.",
    "EntitlementGroupUsage": "One member entitlement of a group, with what an instance is granted and has used.",
    "Command": "Names the entitlement to add to a group.",
    "BooleanEntitlementValue": "An on/off entitlement value.",
    "NumberEntitlementValue": "A numeric entitlement value: a granted quantity or an amount used.",
    "ConfigEntitlementValue": "A structured configuration value.",
    "EntitlementUsage": "An entitlement's value on one instance, with the license grant it is measured against.",
    "Component": "One version of a deployable piece of your product, such as a service; releases are made of them.",
    "PageComponent": "One page of components.",
    "Release": "A named version of your product, made of the components it was created with. It never changes.",
    "PageRelease": "One page of releases.",
    "DeploymentZone": "A place where customers run your product, with the release it currently runs.",
    "PageDeploymentZone": "One page of deployment zones.",
    "Deployment": "One entry of a zone's deployment log: a release put on the zone.",
    "Instance": "A deployment of your product run by a customer, on one license version for a license period.",
    "PageInstance": "One page of instances.",
    "InstanceIntegration": "How an instance is linked to its record in one third-party system.",
    "PatchInstanceBody": "The instance properties to change; what is left out keeps its value.",
    "ReportEntitlementUsageBody": "One usage report of a NUMBER entitlement.",
    "InstanceStatusChanged": "A change of an instance's operational status.",
    "InstanceLifecycleStageChanged": "A change of an instance's commercial lifecycle stage.",
    "InstanceEntitlementCapExceeded": "Usage of a soft-capped quota that went past its cap.",
    "InstanceEntitlementUsagePeriodRolledOver": "A closed usage window and its total.",
    "InstanceEntitlementUsageReportAccepted": "A usage report and what became of it.",
    "InstanceEntitlementUsageWarningThresholdReached": "Usage that crossed its entitlement's early-warning mark.",
    "InstanceEntitlementValueGet": "The record of one read of an entitlement's usage on an instance.",
    "AuditTrail": "One recorded event in an instance's history.",
    "PageAuditTrail": "One page of audit trail entries.",
    "MetadataField": "A typed field that resources of one type may carry in their metadata, constrained by a JSON Schema.",
    "PageMetadataField": "One page of metadata fields.",
    "MetadataFieldReordered": "The new display order of metadata fields.",
    "ReorderMetadataFieldsInput": "The fields to reorder, in their new order.",
    "MetadataFieldSchemaProposal": "A candidate schema to test existing values against.",
    "Impact": "How many stored values a candidate schema would refuse, and a few of the resources concerned.",
    "ImpactSample": "A resource whose stored value a candidate schema would refuse.",
    "Problem": "An RFC 9457 problem document describing why a request failed.",
    "ErrorDetail": "One offending location of a failed request.",
    "SystemTokenIssuance": "The record of an organization token minted by a platform credential.",
    "Connector": "A connector registered with the platform.",
    "RegisterConnectorBody": "What registers (or re-registers) a connector.",
    "EnsureOrganizationBody": "What identifies the organization to create or find.",
    "MintOrganizationTokenBody": "What the organization token to mint should carry.",
    "Organization": "A tenant of this Kaiten server.",
    "PlatformCredential": "A platform token's metadata.",
}

# (schema, property) -> description. Properties not listed carry no description.
PROPERTY_TEXT = {
    ("Customer", "id"): "Server-assigned id.",
    ("Customer", "name"): "Display name.",
    ("Customer", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("Customer", "domain"): "The customer's internet domain, if known.",
    ("Customer", "externalCustomerId"): "The customer's id in some other system of yours, if any.",
    ("Customer", "integrations"): "Links to third-party systems, keyed by adapter name.",
    ("Customer", "createdAt"): "When the customer was created.",
    ("Customer", "createdBy"): "Who created the customer.",
    ("Customer", "updatedAt"): "When the customer last changed.",
    ("Customer", "updatedBy"): "Who changed the customer last.",
    ("CustomerIntegration", "external_id"): "The record's id in the third-party system.",
    ("CustomerIntegration", "synced_at"): "When the link was last synchronized.",
    ("CustomerIntegration", "web_url"): "An http(s) address of the record in the third-party system.",
    ("CustomerIntegration", "last_error"): "The error of the last failed synchronization, if any.",
    ("CustomerIntegration", "metadata"): "Free-form data kept by the adapter.",
    ("ServiceAccount", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("ServiceAccount", "externalId"): "The identity under which the service account's tokens act.",
    ("ServiceAccount", "tokens"): "Metadata of the tokens issued to this service account.",
    ("Token", "slug"): "Identifier used in URLs, unique per service account; generated when left out.",
    ("Token", "scopes"): "What the token is allowed to do.",
    ("Token", "expiresAt"): "When the token stops working; absent for a token that does not expire.",
    ("Token", "revokedAt"): "When the token was revoked; absent while it is active.",
    ("PlainToken", "slug"): "Identifier used in URLs, unique per service account; generated when left out.",
    ("PlainToken", "scopes"): "What the token is allowed to do.",
    ("PlainToken", "expiresAt"): "When the token stops working; absent for a token that does not expire.",
    ("PlainToken", "token"): "The secret to send as a bearer credential. Shown in this response only.",
    ("User", "id"): "The user's id.",
    ("User", "name"): "The user's display name.",
    ("License", "id"): "Server-assigned id of this version.",
    ("License", "name"): "Display name.",
    ("License", "slug"): "Identifier used in URLs, unique within the organization. Generated when left out: `{familySlug}-v{version}` for a later version of a family.",
    ("License", "description"): "What the license offers.",
    ("License", "type"): "The kind of license.",
    ("License", "version"): "The version's number within its family, chosen by the server and never changed.",
    ("License", "versionName"): "A readable name for the version; `Version - <version>` when left out.",
    ("License", "isDefault"): "Whether the family serves this version first. Only a published version can be the default, and a family has at most one.",
    ("License", "lifecycleState"): "DRAFT, PUBLISHED or ARCHIVED. A new version may start as DRAFT or PUBLISHED (the default).",
    ("License", "familyId"): "Id of the family this version belongs to; on create, names the family to add a version to.",
    ("License", "familySlug"): "Only sent on create: the slug of the family to add a version to.",
    ("License", "createdAt"): "When the version was created.",
    ("License", "updatedAt"): "When the version last changed.",
    ("LicenseFamilyView", "id"): "The family's id.",
    ("LicenseFamilyView", "slug"): "The family's slug, stable across its versions.",
    ("LicenseFamilyView", "versionCount"): "How many versions the family has, in any state.",
    ("LicenseFamilyView", "currentVersion"): "The version this answer is about: the one the family serves, or the one asked for with `version`. Absent when there is none.",
    ("LicenseFamilyView", "versions"): "Every version, oldest first; only with `include=versions`.",
    ("LicenseFamilyView", "createdAt"): "When the family was opened.",
    ("LicenseFamilyView", "updatedAt"): "When the family last gained a version, or was opened.",
    ("LicenseEntitlement", "licenseId"): "Id of the license version that grants the entitlement.",
    ("LicenseEntitlement", "licenseSlug"): "Slug of the license version that grants the entitlement.",
    ("LicenseEntitlement", "entitlementSlug"): "Slug of the entitlement granted.",
    ("LicenseEntitlement", "entitlementName"): "Name of the entitlement granted.",
    ("LicenseEntitlement", "entitlementType"): "Type of the entitlement granted.",
    ("LicenseEntitlement", "entitlementGroups"): "Groups the entitlement belongs to.",
    ("LicenseEntitlement", "value"): "The value granted, tagged with its `type`.",
    ("LicenseEntitlement", "limitCapExceededOveragePercent"): "How far past a NUMBER grant usage may go, in percent of the grant: 0 refuses any excess, -1 means no cap at all.",
    ("LicenseEntitlement", "createdAt"): "When the grant was made.",
    ("LicenseEntitlement", "createdBy"): "Who made the grant.",
    ("LicenseEntitlement", "updatedAt"): "When the grant last changed.",
    ("LicenseEntitlement", "updatedBy"): "Who changed the grant last.",
    ("Entitlement", "id"): "Server-assigned id.",
    ("Entitlement", "name"): "Display name.",
    ("Entitlement", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("Entitlement", "description"): "What the entitlement covers, or null.",
    ("Entitlement", "type"): "BOOLEAN, NUMBER, NUMBER_AI_CREDIT or CONFIG; fixed once created.",
    ("Entitlement", "aggregationMethod"): "How a NUMBER entitlement folds reported values into its total; SUM when left out.",
    ("Entitlement", "resetPeriod"): "How often a NUMBER entitlement's usage starts again from zero; absent for usage that never resets.",
    ("Entitlement", "resetAnchor"): "Where usage windows start: on calendar boundaries (UTC) or counted from the instance's license start. Given exactly when `resetPeriod` is.",
    ("Entitlement", "warningThresholdPercent"): "Percentage of the cap at which an early warning is sent; 0 sends none.",
    ("Entitlement", "unitSingular"): "Singular name of the unit a NUMBER entitlement counts in.",
    ("Entitlement", "unitPlural"): "Plural name of the unit a NUMBER entitlement counts in.",
    ("Entitlement", "saleUnitSingular"): "Singular name of the unit it is sold in, when that differs from the counting unit.",
    ("Entitlement", "saleUnitPlural"): "Plural name of the unit it is sold in.",
    ("Entitlement", "saleUnitFactor"): "How many counting units one sale unit stands for.",
    ("Entitlement", "userFacing"): "Whether customer-facing pages show the entitlement.",
    ("Entitlement", "displayOrder"): "Position among entitlements on customer-facing pages, ascending.",
    ("Entitlement", "icon"): "An icon token of the form `provider:name`.",
    ("Entitlement", "entitlementGroups"): "The groups the entitlement belongs to.",
    ("Entitlement", "groupSlugs"): "The slugs of the groups the entitlement belongs to.",
    ("Entitlement", "createdAt"): "When the entitlement was created.",
    ("Entitlement", "updatedAt"): "When the entitlement last changed.",
    ("EntitlementGroup", "id"): "Server-assigned id.",
    ("EntitlementGroup", "name"): "Display name.",
    ("EntitlementGroup", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("EntitlementGroup", "description"): "What the group is for, or null.",
    ("EntitlementGroupSummary", "id"): "The group's id.",
    ("EntitlementGroupSummary", "name"): "The group's name.",
    ("EntitlementGroupSummary", "slug"): "The group's slug.",
    ("Command", "entitlementSlug"): "Slug of the entitlement to add.",
    ("EntitlementGroupUsage", "entitlementId"): "The entitlement's id.",
    ("EntitlementGroupUsage", "entitlementSlug"): "The entitlement's slug.",
    ("EntitlementGroupUsage", "entitlementName"): "The entitlement's name.",
    ("EntitlementGroupUsage", "entitlementType"): "The entitlement's type.",
    ("EntitlementGroupUsage", "licenseValue"): "What the instance's license grants; absent when it grants nothing.",
    ("EntitlementGroupUsage", "usageValue"): "What has been used; absent before the first report.",
    ("EntitlementGroupUsage", "currentPeriodStart"): "Start of the current usage window (included); absent for usage that never resets.",
    ("EntitlementGroupUsage", "currentPeriodEnd"): "End of the current usage window (excluded); absent for usage that never resets.",
    ("BooleanEntitlementValue", "type"): "Always `boolean`.",
    ("BooleanEntitlementValue", "value"): "Whether the feature is on.",
    ("NumberEntitlementValue", "type"): "Always `number`.",
    ("NumberEntitlementValue", "value"): "The quantity; for a grant, -1 means unlimited.",
    ("NumberEntitlementValue", "event_count"): "How many reports make up a usage total; set by the server.",
    ("ConfigEntitlementValue", "type"): "Always `object`.",
    ("ConfigEntitlementValue", "value"): "The configuration.",
    ("EntitlementUsage", "entitlementId"): "The entitlement's id.",
    ("EntitlementUsage", "entitlementSlug"): "The entitlement's slug.",
    ("EntitlementUsage", "licenseId"): "Id of the instance's license version.",
    ("EntitlementUsage", "licenseSlug"): "Slug of the instance's license version.",
    ("EntitlementUsage", "value"): "The value in force on the instance: the usage so far for a quota, the granted value otherwise.",
    ("EntitlementUsage", "limit"): "The grant usage is measured against; absent when the license grants no value.",
    ("EntitlementUsage", "currentPeriodStart"): "Start of the current usage window (included); absent for usage that never resets.",
    ("EntitlementUsage", "currentPeriodEnd"): "End of the current usage window (excluded); absent for usage that never resets.",
    ("Component", "id"): "Server-assigned id.",
    ("Component", "name"): "The component's name; together with `version`, unique within the organization.",
    ("Component", "version"): "The version of the component.",
    ("Component", "slug"): "Identifier used in URLs, unique within the organization; generated from the name and version when left out.",
    ("Component", "description"): "A short description.",
    ("Component", "previousComponentId"): "Id of the component version this one follows, if any. Set once, at creation.",
    ("Component", "createdAt"): "When the component was created.",
    ("Component", "createdBy"): "Who created the component.",
    ("Release", "id"): "Server-assigned id.",
    ("Release", "version"): "The release's version, unique within the organization.",
    ("Release", "slug"): "Identifier used in URLs, unique within the organization; generated from the version when left out.",
    ("Release", "description"): "A description or changelog.",
    ("Release", "componentIds"): "On create: the ids of the components the release is made of.",
    ("Release", "components"): "The components the release holds; absent when it holds none.",
    ("Release", "createdAt"): "When the release was created.",
    ("Release", "createdBy"): "Who created the release.",
    ("DeploymentZone", "id"): "Server-assigned id.",
    ("DeploymentZone", "name"): "Display name.",
    ("DeploymentZone", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("DeploymentZone", "type"): "The zone's environment class, stored as sent; `production`, `staging` and `development` are the usual ones.",
    ("DeploymentZone", "description"): "A short description.",
    ("DeploymentZone", "metadata"): "Values of the organization's `DEPLOYMENT_ZONE` metadata fields; keys no field declares are refused.",
    ("DeploymentZone", "releaseId"): "Id of the release the zone runs: the one of its newest deployment. Absent until it has one.",
    ("DeploymentZone", "createdAt"): "When the zone was created.",
    ("DeploymentZone", "createdBy"): "Who created the zone.",
    ("DeploymentZone", "updatedAt"): "When the zone's details last changed.",
    ("DeploymentZone", "updatedBy"): "Who changed the zone's details last.",
    ("Deployment", "id"): "Server-assigned id of the log entry.",
    ("Deployment", "deploymentZoneId"): "Id of the zone the release was put on.",
    ("Deployment", "releaseId"): "Id of the release put on the zone.",
    ("Deployment", "createdAt"): "When the deployment was recorded.",
    ("Deployment", "createdBy"): "Who recorded the deployment.",
    ("Instance", "id"): "Server-assigned id.",
    ("Instance", "name"): "Display name.",
    ("Instance", "slug"): "Identifier used in URLs, unique within the organization; generated when left out.",
    ("Instance", "description"): "A short description.",
    ("Instance", "customerId"): "Id of the customer running the instance.",
    ("Instance", "customerSlug"): "Slug of the customer running the instance.",
    ("Instance", "licenseId"): "Id of the license version the instance is on; an archived version cannot be given.",
    ("Instance", "licenseSlug"): "Slug of the license version the instance is on.",
    ("Instance", "deploymentZoneId"): "Id of the deployment zone the instance runs in, if any.",
    ("Instance", "deploymentZoneSlug"): "Slug of the deployment zone the instance runs in, if any.",
    ("Instance", "startLicenseDate"): "When the instance's license period starts.",
    ("Instance", "endLicenseDate"): "When the instance's license period ends.",
    ("Instance", "status"): "Operational status.",
    ("Instance", "lifecycleStage"): "Commercial stage, free text (for example TRIAL, ACTIVE, AT_RISK, CHURNED).",
    ("Instance", "metadata"): "Values of the organization's metadata fields for instances.",
    ("Instance", "integrations"): "Links to third-party systems, keyed by adapter name.",
    ("Instance", "createdAt"): "When the instance was created.",
    ("Instance", "createdBy"): "Who created the instance.",
    ("Instance", "updatedAt"): "When the instance last changed.",
    ("Instance", "updatedBy"): "Who changed the instance last.",
    ("InstanceIntegration", "external_id"): "The record's id in the third-party system.",
    ("InstanceIntegration", "synced_at"): "When the link was last synchronized.",
    ("InstanceIntegration", "web_url"): "An http(s) address of the record in the third-party system.",
    ("InstanceIntegration", "last_error"): "The error of the last failed synchronization, if any.",
    ("InstanceIntegration", "metadata"): "Free-form data kept by the adapter.",
    ("PatchInstanceBody", "status"): "The new operational status.",
    ("PatchInstanceBody", "lifecycleStage"): "The new commercial stage; it cannot be cleared once set.",
    ("ReportEntitlementUsageBody", "value"): "The amount reported, as a `number` value.",
    ("ReportEntitlementUsageBody", "behavior"): "`append` adds the amount to the window's total (through the aggregation method), `set` replaces the total.",
    ("ReportEntitlementUsageBody", "metadata"): "Free-form context stored with the report; dropped (not refused) above 4 KiB.",
    ("InstanceStatusChanged", "instance_id"): "The instance's id.",
    ("InstanceStatusChanged", "previous_status"): "The status before.",
    ("InstanceStatusChanged", "new_status"): "The status after.",
    ("InstanceStatusChanged", "changed_by"): "Id of the user who made the change.",
    ("InstanceLifecycleStageChanged", "instance_id"): "The instance's id.",
    ("InstanceLifecycleStageChanged", "previous_lifecycle_stage"): "The stage before, or null.",
    ("InstanceLifecycleStageChanged", "new_lifecycle_stage"): "The stage after.",
    ("InstanceLifecycleStageChanged", "changed_by"): "Id of the user who made the change.",
    ("InstanceEntitlementCapExceeded", "entitlement_slug"): "The entitlement's slug.",
    ("InstanceEntitlementCapExceeded", "threshold"): "The cap.",
    ("InstanceEntitlementCapExceeded", "value"): "The usage now, overage included.",
    ("InstanceEntitlementCapExceeded", "overage"): "How far usage is past the cap.",
    ("InstanceEntitlementUsageWarningThresholdReached", "entitlement_slug"): "The entitlement's slug.",
    ("InstanceEntitlementUsageWarningThresholdReached", "threshold"): "The cap.",
    ("InstanceEntitlementUsageWarningThresholdReached", "boundary"): "The usage at which the warning is due: the cap times the warning percentage.",
    ("InstanceEntitlementUsageWarningThresholdReached", "value"): "The usage now.",
    ("InstanceEntitlementUsageReportAccepted", "entitlement_slug"): "The entitlement the report was for.",
    ("InstanceEntitlementUsageReportAccepted", "value"): "The amount reported.",
    ("InstanceEntitlementUsageReportAccepted", "behavior"): "`append` or `set`, as reported.",
    ("InstanceEntitlementUsageReportAccepted", "event_count"): "How many reports the current window holds, this one included.",
    ("InstanceEntitlementUsageReportAccepted", "status"): "ACCEPTED when counted, REJECTED when refused.",
    ("InstanceEntitlementUsagePeriodRolledOver", "entitlement_id"): "The entitlement's id.",
    ("InstanceEntitlementUsagePeriodRolledOver", "entitlement_slug"): "The entitlement's slug.",
    ("InstanceEntitlementUsagePeriodRolledOver", "instance_id"): "The instance's id.",
    ("InstanceEntitlementUsagePeriodRolledOver", "value"): "The closed window's total.",
    ("InstanceEntitlementUsagePeriodRolledOver", "event_count"): "How many reports the closed window held.",
    ("InstanceEntitlementUsagePeriodRolledOver", "closed_period_start"): "Start of the closed window.",
    ("InstanceEntitlementUsagePeriodRolledOver", "closed_period_end"): "End of the closed window.",
    ("InstanceEntitlementUsagePeriodRolledOver", "new_period_start"): "Start of the window now open.",
    ("InstanceEntitlementUsagePeriodRolledOver", "is_synthetic"): "True for a window that passed with no report at all.",
    ("InstanceEntitlementValueGet", "entitlement_id"): "The entitlement's id.",
    ("InstanceEntitlementValueGet", "entitlement_slug"): "The entitlement's slug.",
    ("InstanceEntitlementValueGet", "instance_id"): "The instance's id.",
    ("InstanceEntitlementValueGet", "license_id"): "Id of the instance's license version.",
    ("InstanceEntitlementValueGet", "organization_id"): "The organization's id.",
    ("InstanceEntitlementValueGet", "type"): "The type tag of the value read.",
    ("InstanceEntitlementValueGet", "value"): "The value that was returned.",
    ("InstanceEntitlementValueGet", "timestamp"): "When it was read.",
    ("AuditTrail", "id"): "The entry's id.",
    ("AuditTrail", "instanceId"): "The instance's id.",
    ("AuditTrail", "instanceSlug"): "The instance's slug.",
    ("AuditTrail", "eventName"): "The event's name, e.g. `ENTITLEMENT_VALUE_GET`.",
    ("AuditTrail", "eventType"): "The event's type, e.g. `com.kaiten.instance.entitlement.v1.value_get`.",
    ("AuditTrail", "payload"): "The event's data.",
    ("AuditTrail", "timestamp"): "When the event happened.",
    ("MetadataField", "id"): "Server-assigned id.",
    ("MetadataField", "resourceType"): "The kind of resource the field belongs to; fixed once created.",
    ("MetadataField", "key"): "The name the value is stored under in a resource's `metadata`; unique among active fields of the resource type, fixed once created.",
    ("MetadataField", "label"): "A readable label.",
    ("MetadataField", "jsonSchema"): "JSON Schema 2020-12 that a value of the field must satisfy.",
    ("MetadataField", "displayOrder"): "Position among the resource type's fields; set by reorder only.",
    ("MetadataField", "archivedAt"): "When the field was archived; absent while it is active.",
    ("MetadataField", "createdAt"): "When the field was declared.",
    ("MetadataField", "createdBy"): "Who declared the field.",
    ("MetadataField", "updatedAt"): "When the field last changed.",
    ("MetadataField", "updatedBy"): "Who changed the field last.",
    ("MetadataFieldReordered", "ids"): "The fields' ids, in their new order.",
    ("ReorderMetadataFieldsInput", "ids"): "The ids of the fields, in the order to give them.",
    ("MetadataFieldSchemaProposal", "jsonSchema"): "The candidate JSON Schema 2020-12.",
    ("Impact", "count"): "How many resources hold a value the candidate schema refuses.",
    ("Impact", "samples"): "Up to five of those resources.",
    ("ImpactSample", "name"): "The resource's name.",
    ("ImpactSample", "slug"): "The resource's slug.",
    ("Problem", "type"): "A URI naming the kind of problem.",
    ("Problem", "title"): "A short summary of the kind of problem, the same for every occurrence.",
    ("Problem", "status"): "The HTTP status code of the response.",
    ("Problem", "detail"): "What went wrong in this occurrence, for people.",
    ("Problem", "instance"): "The path of the request that failed.",
    ("Problem", "code"): "A stable machine-readable code, `Operation.Reason`; branch on this.",
    ("Problem", "errorId"): "The id under which the server logged this failure.",
    ("Problem", "errors"): "One entry per offending location, when there are any.",
    ("ErrorDetail", "location"): "Where the problem is, e.g. `body.name` or `query.limit`.",
    ("ErrorDetail", "message"): "What is wrong there.",
    ("ErrorDetail", "value"): "The offending value, when it helps.",
    ("SystemTokenIssuance", "credentialKind"): "The kind of credential that minted the token (`platform`).",
    ("SystemTokenIssuance", "platformTokenId"): "Id of the minting platform credential.",
    ("SystemTokenIssuance", "issuedTokenId"): "Id of the token that was minted.",
    ("SystemTokenIssuance", "name"): "The name the caller gave the token.",
    ("SystemTokenIssuance", "slug"): "The slug the server assigned to the token.",
    ("SystemTokenIssuance", "scopes"): "The scopes the token was granted.",
    ("SystemTokenIssuance", "issuedAt"): "When the token was minted.",
    ("SystemTokenIssuance", "expiresAt"): "When the token expires; absent when it does not.",
    ("Connector", "name"): "The connector's stable name, e.g. `kaiten.integration.crm.attio`.",
    ("Connector", "version"): "The registered version.",
    ("Connector", "settings_schema"): "JSON Schema that an organization's settings for this connector must satisfy.",
    ("Connector", "entitlement_slug"): "Entitlement a license must grant before an organization can activate the connector; absent when anyone can.",
    ("RegisterConnectorBody", "name"): "The connector's stable name, e.g. `kaiten.integration.crm.attio`.",
    ("RegisterConnectorBody", "version"): "The version being registered.",
    ("RegisterConnectorBody", "settings_schema"): "JSON Schema that an organization's settings for this connector must satisfy.",
    ("RegisterConnectorBody", "entitlement_slug"): "Entitlement a license must grant before an organization can activate the connector; leave out for none.",
    ("EnsureOrganizationBody", "externalId"): "The identity provider's id of the organization; the organization id is derived from it.",
    ("EnsureOrganizationBody", "name"): "Name for the organization if it gets created; an existing organization keeps its name.",
    ("MintOrganizationTokenBody", "name"): "A label for the token.",
    ("MintOrganizationTokenBody", "scopes"): "Scopes to grant, a subset of the caller's; all of the caller's when left out.",
    ("MintOrganizationTokenBody", "ttl"): "Lifetime as a Go duration such as `15m` or `24h`; without it the token does not expire.",
    ("Organization", "id"): "The organization's id.",
    ("Organization", "external_id"): "The identity provider's id of the organization.",
    ("Organization", "name"): "Display name.",
    ("PlatformCredential", "subject"): "The identity the credential acts as (`system:kaiten`).",
    ("PlatformCredential", "credentialKind"): "The kind of credential (`platform`).",
    ("PlatformCredential", "expiresAt"): "When the credential expires; absent when it does not.",
}

# --------------------------------------------------------------------------------------------------------
# Operations of our own (not in the contract).

PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}


def status_schema(value: str) -> dict:
    return {
        "additionalProperties": False,
        "properties": {"status": {"enum": [value], "type": "string"}},
        "required": ["status"],
        "type": "object",
    }


CORE_EXTENSIONS = {
    "/healthz": {
        "get": {
            "operationId": "healthz",
            "summary": "Liveness probe",
            "description": "Answers 200 as long as the process serves HTTP. Needs no credential.",
            "security": [],
            "tags": ["operations"],
            "x-kaiten-extension": True,
            "responses": {
                "200": {
                    "description": "The process is alive.",
                    "content": {"application/json": {"schema": status_schema("ok")}},
                },
            },
        }
    },
    "/readyz": {
        "get": {
            "operationId": "readyz",
            "summary": "Readiness probe",
            "description": (
                "Answers 200 when the server can take traffic: the database is reachable and its schema is "
                "at the latest migration. Otherwise 503. Needs no credential."
            ),
            "security": [],
            "tags": ["operations"],
            "x-kaiten-extension": True,
            "responses": {
                "200": {
                    "description": "Ready for traffic.",
                    "content": {"application/json": {"schema": status_schema("ready")}},
                },
                "503": {"description": "Not ready yet.", "content": copy.deepcopy(PROBLEM_CONTENT)},
            },
        }
    },
    "/tokens/validate": {
        "get": {
            "operationId": "validate-token",
            "summary": "Check an access token at the edge",
            "description": (
                "For gateways. Send the `ksh_…` access token to check as `Authorization: Bearer <token>`; "
                "the route itself needs no other credential. A valid token is answered with 200, no body, "
                "and a response `Authorization: Bearer <JWT>` header: an unsigned JWT (`alg: none`) with "
                "the claims `sub`, `kaiten_external_org_id`, `scopes`, `iat` and `exp`, expiring with the "
                "token and at most an hour later, for the gateway to forward. Anything else is a 401."
            ),
            "security": [],
            "tags": ["service-accounts"],
            "x-kaiten-extension": True,
            "responses": {
                "200": {
                    "description": "The token is valid.",
                    "headers": {
                        "Authorization": {
                            "description": "`Bearer ` followed by the unsigned JWT carrying the token's claims.",
                            "required": True,
                            "schema": {
                                "pattern": "^Bearer [A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.$",
                                "type": "string",
                            },
                        }
                    },
                },
                "401": {
                    "description": "No token was sent, or it is unknown, expired or revoked.",
                    "content": copy.deepcopy(PROBLEM_CONTENT),
                },
            },
        }
    },
}

# A gateway's forward-auth check repeats the method of the request it guards, so token validation answers
# every method the same way; each is an operation of its own in the document.
for _method in ("post", "put", "patch", "delete", "head", "options"):
    _validate = copy.deepcopy(CORE_EXTENSIONS["/tokens/validate"]["get"])
    _validate["operationId"] = f"validate-token-{_method}"
    _validate["summary"] = f"Check an access token at the edge ({_method.upper()})"
    _validate["description"] = "The same check as `GET /tokens/validate`, for a gateway that repeats the guarded request's method."
    CORE_EXTENSIONS["/tokens/validate"][_method] = _validate


# The webhook management API: the contract reserves `read:webhooks` and `write:webhooks` but has no
# operations, so these are ours, in the spirit of Svix's endpoint, message and attempt resources. Their
# schemas are inline: the contract's components hold none of them.

def _problem(status: str) -> dict:
    return {"description": RESPONSE_TEXT[status], "content": copy.deepcopy(PROBLEM_CONTENT)}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


WEBHOOK_EVENT_TYPES_FILTER = {
    "description": "The event types delivered (as `GET /webhooks/event-types` lists them), or null for every type.",
    "items": {"type": "string"},
    "minItems": 1,
    "type": ["array", "null"],
}

WEBHOOK_THROTTLE_RATE = {
    "description": "At most this many delivery attempts per second reach the endpoint; null: as fast as it answers, one request at a time.",
    "maximum": 10000,
    "minimum": 1,
    "type": ["integer", "null"],
}

WEBHOOK_ENDPOINT_PROPERTIES = {
    "id": {"format": "uuid", "type": "string"},
    "url": {"description": "Where deliveries are POSTed: http or https.", "format": "uri", "type": "string"},
    "description": {"type": "string"},
    "eventTypes": WEBHOOK_EVENT_TYPES_FILTER,
    "enabled": {"type": "boolean"},
    "throttleRate": WEBHOOK_THROTTLE_RATE,
    "disabledReason": {"description": "Why the endpoint is disabled: a 410 answer, failing continuously, or the API.", "type": "string"},
    "disabledAt": {"format": "date-time", "type": "string"},
    "createdAt": {"format": "date-time", "type": "string"},
    "updatedAt": {"format": "date-time", "type": "string"},
}

WEBHOOK_ENDPOINT = {
    "additionalProperties": False,
    "properties": WEBHOOK_ENDPOINT_PROPERTIES,
    "required": ["id", "url", "description", "eventTypes", "enabled", "throttleRate", "createdAt", "updatedAt"],
    "type": "object",
}

WEBHOOK_SECRET = {
    "description": "`whsec_` followed by the standard base64 of a 24 to 64 byte key, as Svix and Standard Webhooks verifiers take it.",
    "pattern": "^whsec_[A-Za-z0-9+/]+={0,2}$",
    "type": "string",
}

WEBHOOK_CREATED_ENDPOINT = {
    "additionalProperties": False,
    "properties": {**WEBHOOK_ENDPOINT_PROPERTIES, "secret": WEBHOOK_SECRET},
    "required": WEBHOOK_ENDPOINT["required"] + ["secret"],
    "type": "object",
}

WEBHOOK_ENDPOINT_BODY = {
    "additionalProperties": False,
    "properties": {
        "url": {"maxLength": 2048, "minLength": 1, "type": "string"},
        "description": {"maxLength": 1000, "type": ["string", "null"]},
        "eventTypes": WEBHOOK_EVENT_TYPES_FILTER,
        "enabled": {"description": "Defaults to true.", "type": "boolean"},
        "throttleRate": {**WEBHOOK_THROTTLE_RATE, "description": "Attempts per second at most; omitted or null: unthrottled."},
    },
    "required": ["url"],
    "type": "object",
}

WEBHOOK_MESSAGE = {
    "additionalProperties": False,
    "properties": {
        "id": {"description": "The message id, sent as `svix-id` and `webhook-id`: the outbox event's id.", "format": "uuid", "type": "string"},
        "eventName": {"type": "string"},
        "eventType": {"type": "string"},
        "status": {"enum": ["pending", "succeeded", "failed"], "type": "string"},
        "attempts": {"type": "integer"},
        "nextAttemptAt": {"format": "date-time", "type": "string"},
        "lastAttemptAt": {"format": "date-time", "type": "string"},
        "createdAt": {"format": "date-time", "type": "string"},
        "payload": {"description": "The body delivered: `{name, type, data}`.", "type": "object"},
    },
    "required": ["id", "eventName", "eventType", "status", "attempts", "createdAt", "payload"],
    "type": "object",
}

WEBHOOK_ATTEMPT = {
    "additionalProperties": False,
    "properties": {
        "id": {"format": "uuid", "type": "string"},
        "messageId": {"format": "uuid", "type": "string"},
        "attemptNumber": {"minimum": 1, "type": "integer"},
        "trigger": {"description": "`scheduled`: the retry schedule; `manual`: a retry asked for through the API.", "enum": ["scheduled", "manual"], "type": "string"},
        "url": {"type": "string"},
        "succeeded": {"type": "boolean"},
        "responseStatusCode": {"type": "integer"},
        "responseBody": {"description": "The start of the response body (at most 4 KiB).", "type": "string"},
        "error": {"description": "Why no response counted: a timeout, a connection error, a refused destination.", "type": "string"},
        "durationMs": {"type": "integer"},
        "createdAt": {"format": "date-time", "type": "string"},
    },
    "required": ["id", "messageId", "attemptNumber", "trigger", "url", "succeeded", "durationMs", "createdAt"],
    "type": "object",
}


def _page(item: dict) -> dict:
    return {
        "additionalProperties": False,
        "properties": {"items": {"items": item, "type": "array"}, "hasMore": {"type": "boolean"}, "nextCursor": {"type": "string"}},
        "required": ["items", "hasMore"],
        "type": "object",
    }


WEBHOOK_PAGE_PARAMETERS = [
    {"in": "query", "name": "cursor", "description": "The `nextCursor` of the previous page.", "schema": {"pattern": "^[A-Za-z0-9_-]*$", "type": "string"}},
    {"in": "query", "name": "limit", "description": "Page size, 1 to 200 (50 by default).", "schema": {"maximum": 200, "minimum": 1, "type": "integer"}},
]

WEBHOOK_ENDPOINT_ID = {"in": "path", "name": "endpointId", "required": True, "schema": {"format": "uuid", "type": "string"}}


def webhook_operation(op_id: str, scope: str, summary: str, description: str, responses: dict, *, body: dict | None = None,
                      parameters: list | None = None, body_required: bool = True) -> dict:
    statuses = {"401", "403", "500"} | ({"404"} if "{endpointId}" in description or parameters else set())
    if body is not None:
        statuses |= {"400", "413", "415", "422"}
    if any(parameter["in"] == "query" for parameter in parameters or []):
        # A query value that fails its schema is a 422; a cursor this server did not issue, a 400.
        statuses |= {"422"} | ({"400"} if any(parameter["name"] == "cursor" for parameter in parameters or []) else set())
    operation = {
        "operationId": op_id,
        "summary": summary,
        "description": description,
        "security": [{"bearerAuth": [scope]}],
        "tags": ["webhooks"],
        "x-kaiten-extension": True,
        "responses": {**{status: _problem(status) for status in sorted(statuses)}, **responses},
    }
    if parameters:
        operation["parameters"] = parameters
    if body is not None:
        operation["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": body}}}
    return operation


WEBHOOK_EXTENSIONS = {
    "/webhooks/event-types": {
        "get": webhook_operation(
            "list-webhook-event-types", "read:webhooks", "List the event types",
            "Every event an endpoint can subscribe to: the contract's catalogue of names and types.",
            {"200": _json({
                "additionalProperties": False,
                "properties": {"items": {"items": {
                    "additionalProperties": False,
                    "properties": {"name": {"type": "string"}, "type": {"type": "string"}},
                    "required": ["name", "type"], "type": "object",
                }, "type": "array"}},
                "required": ["items"], "type": "object",
            }, "The event types.")},
        )
    },
    "/webhooks/endpoints": {
        "get": webhook_operation(
            "list-webhook-endpoints", "read:webhooks", "List webhook endpoints",
            "The organization's endpoints, newest first, one page at a time. Secrets are never listed.",
            {"200": _json(_page(WEBHOOK_ENDPOINT), "A page of endpoints.")},
            parameters=copy.deepcopy(WEBHOOK_PAGE_PARAMETERS),
        ),
        "post": webhook_operation(
            "create-webhook-endpoint", "write:webhooks", "Register a webhook endpoint",
            "Registers an http(s) URL to receive the organization's events, every type or those in `eventTypes`. "
            "The answer carries the signing secret, the only time it is shown; send your own `whsec_` secret to "
            "choose it. Literal non-public addresses and `localhost` are refused unless the server allows them.",
            {"201": _json(WEBHOOK_CREATED_ENDPOINT, "The endpoint, with its signing secret.")},
            body={**copy.deepcopy(WEBHOOK_ENDPOINT_BODY),
                  "properties": {**copy.deepcopy(WEBHOOK_ENDPOINT_BODY["properties"]), "secret": {**WEBHOOK_SECRET, "type": ["string", "null"]}}},
        ),
    },
    "/webhooks/endpoints/{endpointId}": {
        "get": webhook_operation(
            "get-webhook-endpoint", "read:webhooks", "Get a webhook endpoint",
            "One endpoint of the organization ({endpointId}); its secret is not shown.",
            {"200": _json(WEBHOOK_ENDPOINT, "The endpoint.")},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
        ),
        "put": webhook_operation(
            "update-webhook-endpoint", "write:webhooks", "Replace a webhook endpoint",
            "Replaces URL, description, filter and `enabled` of {endpointId}; what is left out takes its default. "
            "Enabling a disabled endpoint clears the reason and the failure streak, and its waiting deliveries go out.",
            {"200": _json(WEBHOOK_ENDPOINT, "The endpoint as replaced.")},
            body=copy.deepcopy(WEBHOOK_ENDPOINT_BODY),
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
        ),
        "delete": webhook_operation(
            "delete-webhook-endpoint", "write:webhooks", "Delete a webhook endpoint",
            "Deletes {endpointId} with its pending deliveries and its attempt log.",
            {"204": {"description": RESPONSE_TEXT["204"]}},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
        ),
    },
    "/webhooks/endpoints/{endpointId}/secret/rotate": {
        "post": webhook_operation(
            "rotate-webhook-secret", "write:webhooks", "Rotate an endpoint's signing secret",
            "Replaces the signing secret of {endpointId} (generated, or `secret` if sent). Until "
            "`previousSecretExpiresAt` every delivery is signed with both, space-separated, so receivers can switch.",
            {"200": _json({
                "additionalProperties": False,
                "properties": {"secret": WEBHOOK_SECRET, "previousSecretExpiresAt": {"format": "date-time", "type": "string"}},
                "required": ["secret", "previousSecretExpiresAt"], "type": "object",
            }, "The new secret.")},
            body={"additionalProperties": False, "properties": {"secret": {**WEBHOOK_SECRET, "type": ["string", "null"]}}, "type": "object"},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
            body_required=False,
        ),
    },
    "/webhooks/endpoints/{endpointId}/messages": {
        "get": webhook_operation(
            "list-webhook-messages", "read:webhooks", "List an endpoint's messages",
            "What was, or will be, delivered to {endpointId}, newest first, with the state of each delivery.",
            {"200": _json(_page(WEBHOOK_MESSAGE), "A page of messages.")},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID),
                        {"in": "query", "name": "status", "description": "Only deliveries in this state.",
                         "schema": {"enum": ["pending", "succeeded", "failed"], "type": "string"}}] + copy.deepcopy(WEBHOOK_PAGE_PARAMETERS),
        ),
    },
    "/webhooks/endpoints/{endpointId}/attempts": {
        "get": webhook_operation(
            "list-webhook-attempts", "read:webhooks", "List an endpoint's delivery attempts",
            "Every HTTP attempt to {endpointId}, newest first: status code, duration, the start of the response "
            "body or the error, and what triggered it.",
            {"200": _json(_page(WEBHOOK_ATTEMPT), "A page of attempts.")},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID),
                        {"in": "query", "name": "messageId", "description": "Only the attempts of this message.",
                         "schema": {"format": "uuid", "type": "string"}}] + copy.deepcopy(WEBHOOK_PAGE_PARAMETERS),
        ),
    },
    "/webhooks/endpoints/{endpointId}/messages/{messageId}/retry": {
        "post": webhook_operation(
            "retry-webhook-message", "write:webhooks", "Retry a message now",
            "Sends the message to {endpointId} again now: a delivery waiting for its next scheduled attempt is "
            "simply brought forward; a failed or delivered one gets one manual attempt.",
            {"202": _json(WEBHOOK_MESSAGE, "The message, queued.")},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID),
                        {"in": "path", "name": "messageId", "required": True, "schema": {"format": "uuid", "type": "string"}}],
        ),
    },
    "/webhooks/endpoints/{endpointId}/replay": {
        "post": webhook_operation(
            "replay-webhook-endpoint", "write:webhooks", "Replay an endpoint's messages since a time",
            "Queues again, for {endpointId}, every message of the organization its filter takes that was recorded "
            "from `since` (and before `until`), delivered or not, with a fresh round of the retry schedule. "
            "`since` may go back as far as messages are kept (14 days by default).",
            {"202": _json({
                "additionalProperties": False, "properties": {"messages": {"type": "integer"}},
                "required": ["messages"], "type": "object",
            }, "How many messages were queued.")},
            body={
                "additionalProperties": False,
                "properties": {"since": {"format": "date-time", "type": "string"}, "until": {"format": "date-time", "type": ["string", "null"]}},
                "required": ["since"], "type": "object",
            },
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
        ),
    },
    "/webhooks/endpoints/{endpointId}/test": {
        "post": webhook_operation(
            "send-webhook-test", "write:webhooks", "Send a test message",
            "Queues a signed `com.kaiten.webhook.v1.test` message for {endpointId} alone, whatever its filter.",
            {"202": _json(WEBHOOK_MESSAGE, "The test message, queued.")},
            parameters=[copy.deepcopy(WEBHOOK_ENDPOINT_ID)],
        ),
    },
}

CORE_EXTENSIONS.update(WEBHOOK_EXTENSIONS)

# What the server accepts or sends beyond the contract, documented and marked as ours.

# Schema name -> {property name: schema}: optional properties a closed contract body also accepts.
SCHEMA_PROPERTY_EXTENSIONS = {
    "ReportEntitlementUsageBody": {
        "transactionId": {
            "description": (
                "An idempotency key of your choosing. The same report sent again under it (within 35 days) is "
                "answered with the first answer and counted once; another report under a key already used is "
                "refused with 409."
            ),
            "pattern": "^[A-Za-z0-9._:-]{1,128}$",
            "type": "string",
            "x-kaiten-extension": True,
        }
    },
}

# The events a notification can report (KaitenAuditTrail's NotificationCatalogue), in its order.
NOTIFIABLE_EVENTS = [
    "INSTANCE_CREATED", "INSTANCE_DEPLOYED", "INSTANCE_DELETED", "INSTANCE_MIGRATED", "INSTANCE_LIFECYCLE_STAGE_CHANGED",
    "INSTANCE_STATUS_CHANGED", "INSTANCE_UPDATED", "CUSTOMER_CREATED", "CUSTOMER_UPDATED", "CUSTOMER_DELETED",
    "CUSTOMER_CREATION_REJECTED", "RELEASE_CREATED", "RELEASE_DEPLOYED", "RELEASE_DELETED", "DEPLOYMENT_ZONE_CREATED",
    "DEPLOYMENT_ZONE_DELETED", "COMPONENT_CREATED", "COMPONENT_UPDATED", "INSTANCE_ENTITLEMENT_USAGE_WARNING_THRESHOLD_REACHED",
    "INSTANCE_ENTITLEMENT_USAGE_REACHED", "INSTANCE_ENTITLEMENT_CAP_EXCEEDED", "ENTITLEMENT_USAGE_REPORT_REJECTED",
    "INSTANCE_ENTITLEMENT_USAGE_PERIOD_ROLLED_OVER", "LICENSE_CREATED", "LICENSE_UPDATED", "LICENSE_DELETED",
    "LICENSE_ENTITLEMENT_ASSIGNED", "LICENSE_ENTITLEMENT_UNASSIGNED", "SYSTEM_ORGANIZATION_TOKEN_ISSUED",
]

# What the server enforces that the contract does not state, so that clients and fuzzers see it: keywords added
# to a contract schema's property, (schema, property) -> keywords. Every schema so extended lists the keywords
# added under `x-kaiten-extension-keywords`, which the conformance suite sets aside.
SCHEMA_KEYWORD_EXTENSIONS = {
    ("Instance", "customerId"): {"format": "uuid"},
    ("Instance", "licenseId"): {"format": "uuid"},
    ("Instance", "deploymentZoneId"): {"format": "uuid"},
    ("Component", "previousComponentId"): {"format": "uuid"},
    ("Release", "componentIds/items"): {"format": "uuid"},
    ("DeploymentZone", "releaseId"): {"format": "uuid"},
    ("DeploymentZone", "name"): {"maxLength": 255},
    ("DeploymentZone", "type"): {"maxLength": 255},
    ("DeploymentZone", "description"): {"maxLength": 10000},
    ("License", "familyId"): {"format": "uuid"},
    ("Token", "name"): {"maxLength": 255, "minLength": 1},
    ("PlainToken", "name"): {"maxLength": 255, "minLength": 1},
    ("ReorderMetadataFieldsInput", "ids"): {"minItems": 1, "not": {"type": "null"}},
    ("ReorderMetadataFieldsInput", "ids/items"): {"format": "uuid"},
    ("CustomerIntegration", "external_id"): {"maxLength": 1000},
    ("CustomerIntegration", "web_url"): {"maxLength": 2048},
    ("CustomerIntegration", "last_error"): {"maxLength": 10000},
    ("InstanceIntegration", "external_id"): {"maxLength": 1000},
    ("InstanceIntegration", "web_url"): {"maxLength": 2048},
    ("InstanceIntegration", "last_error"): {"maxLength": 10000},
    ("CustomerBody", "name"): {"maxLength": 255},
    ("CustomerBody", "webUrl"): {"maxLength": 2048},
    ("CustomerBody", "error"): {"maxLength": 10000},
    ("InstanceBody", "name"): {"maxLength": 255},
    ("InstanceBody", "description"): {"maxLength": 10000},
    ("InstanceBody", "customerExternalId"): {"maxLength": 1000},
    ("InstanceBody", "webUrl"): {"maxLength": 2048},
    ("InstanceBody", "error"): {"maxLength": 10000},
    ("InstanceBody", "licenseId"): {"format": "uuid"},
    ("InstanceBody", "deploymentZoneId"): {"format": "uuid"},
    # A preference names a catalogued event and a served channel.
    ("PreferenceUpdate", "eventName"): {"enum": NOTIFIABLE_EVENTS},
    ("PreferenceUpdate", "channels"): {"propertyNames": {"enum": ["in_app"]}},
    ("RegisterConnectorBody", "name"): {"maxLength": 255, "minLength": 1, "pattern": "^kaiten(\\.[a-z0-9][a-z0-9_-]*)+$"},
    ("RegisterConnectorBody", "version"): {"maxLength": 100, "minLength": 1},
    ("RegisterConnectorBody", "entitlement_slug"): {"maxLength": 100, "minLength": 2, "pattern": "^[a-z0-9][a-z0-9-]*[a-z0-9]$"},
    ("FeatureFlag", "name"): {"maxLength": 255},
    ("FeatureFlag", "description"): {"maxLength": 10000},
    ("FeatureFlag", "event_name"): {"maxLength": 255},
    ("Variant", "name"): {"maxLength": 255, "minLength": 1},
    ("Variant", "description"): {"maxLength": 10000},
    ("Basic", "value"): {"maxLength": 255},
    ("BasicTargeting", "name"): {"maxLength": 255},
    ("BasicTargeting", "variant"): {"maxLength": 255},
    ("RolloutDateTargeting", "name"): {"maxLength": 255},
    ("RolloutPercentageTargeting", "name"): {"maxLength": 255},
    ("RolloutStep", "variant"): {"maxLength": 255},
    ("RolloutStep", "percentage"): {"maximum": 100, "minimum": 0},
}

# The same for parameters: (operationId, or "*" for every operation, parameter name, location) -> keywords.
PARAMETER_KEYWORD_EXTENSIONS = {
    # A cursor is the URL-safe base64 (no padding) of what the previous page ended on.
    ("*", "cursor", "query"): {"pattern": "^[A-Za-z0-9_-]*$"},
    ("getAuditTrails", "after", "query"): {"format": "date-time"},
    ("getAuditTrails", "before", "query"): {"format": "date-time"},
    ("get-entitlement-group-usage", "instance", "query"): {"minLength": 1},
    ("update-metadata-field", "id", "path"): {"format": "uuid"},
    ("archive-metadata-field", "id", "path"): {"format": "uuid"},
    ("unarchive-metadata-field", "id", "path"): {"format": "uuid"},
    ("dry-run-metadata-field", "id", "path"): {"format": "uuid"},
}

# operationId -> statuses the server answers that the contract does not list (all problems).
STATUS_EXTENSIONS: dict[str, list[str]] = {
    # A blank (whitespace) integration or adapter name is a 400, as in Go, where the contract lists none.
    "get-customer-integration": ["400"],
    "get-instance-integration": ["400"],
    "get-customer-integration-by-external-id": ["400"],
    "get-instance-integration-by-external-id": ["400"],
    # An entitlement a license still grants is not deleted (DeleteEntitlement.InUseConflict), as in Go.
    "delete-entitlement": ["409"],
    # A releaseId that is not one of the organization's releases is CreateDeployment.ReleaseNotFound, as in Go.
    "create-deployment-zone": ["404"],
    # OFREP's single evaluation authenticates like every operation (problem documents, as in Go).
    "evaluateFlag": ["401", "403"],
}

# (operationId, status) -> {header name: header}: response headers the contract does not list.
RESPONSE_HEADER_EXTENSIONS = {
    ("reportEntitlementUsageMetric", "200"): {
        "Idempotent-Replayed": {
            "description": "Sent as `true` when this answer replays an earlier report's under the same `transactionId`; nothing was counted.",
            "required": False,
            "schema": {"enum": ["true"], "type": "string"},
            "x-kaiten-extension": True,
        },
        "Kaiten-Metadata-Dropped": {
            "description": "Sent as `too_large` when the report's `metadata` exceeded 4 KiB and was not stored; the report itself was counted.",
            "required": False,
            "schema": {"enum": ["too_large"], "type": "string"},
            "x-kaiten-extension": True,
        },
    },
}

BODY_TOO_LARGE = {
    "description": RESPONSE_TEXT["413"],
    "content": PROBLEM_CONTENT,
    "x-kaiten-extension": True,
}

UNSUPPORTED_MEDIA_TYPE = {
    "description": RESPONSE_TEXT["415"],
    "content": PROBLEM_CONTENT,
    "x-kaiten-extension": True,
}

# --------------------------------------------------------------------------------------------------------
# Rewriting.

# Keywords whose value is data, not schema: never walk into them.
DATA_KEYWORDS = {"enum", "const", "default", "example", "examples", "x-kaiten-scopes"}


class Generator:
    def __init__(self, spec: str):
        self.spec = spec
        self.missing: list[str] = []

    def fail_missing(self, what: str) -> None:
        self.missing.append(f"{self.spec}: no text of our own for {what}")

    # Schemas -------------------------------------------------------------------------------------------

    def schema(self, node, owner: str | None = None):
        """Returns a schema without prose. `owner` is the component name, for property descriptions."""
        if isinstance(node, list):
            return [self.schema(item) for item in node]
        if not isinstance(node, dict):
            return node
        out = {}
        for key, value in node.items():
            if key in ("description", "summary", "title", "examples", "example"):
                continue
            if key in DATA_KEYWORDS:
                out[key] = copy.deepcopy(value)
            elif key in ("properties", "patternProperties", "$defs", "definitions"):
                props = {}
                for name, sub in value.items():
                    props[name] = self.schema(sub)
                    text = PROPERTY_TEXT.get((owner, name)) if key == "properties" and owner else None
                    if text:
                        props[name]["description"] = text
                out[key] = props
            else:
                out[key] = self.schema(value)
        return out

    def extend_keywords(self, schema: dict, keywords: dict, what: str) -> None:
        """Adds keywords the contract does not state to `schema`, and lists them under x-kaiten-extension-keywords."""
        added = schema.setdefault("x-kaiten-extension-keywords", [])
        for keyword, value in keywords.items():
            if keyword in schema:
                raise SystemExit(f"{self.spec}: {what} already states {keyword}; drop the extension")
            schema[keyword] = copy.deepcopy(value)
            added.append(keyword)
        added.sort()

    def component_schemas(self, schemas: dict) -> dict:
        out = {}
        for name, node in schemas.items():
            rewritten = self.schema(node, owner=name)
            for (owner, property_path), keywords in SCHEMA_KEYWORD_EXTENSIONS.items():
                if owner == name:
                    property_name, *inner = property_path.split("/")
                    if property_name not in rewritten.get("properties", {}):
                        raise SystemExit(f"{self.spec}: keyword extension of {name}.{property_name}, which is not a property")
                    target = rewritten["properties"][property_name]
                    for key in inner:
                        target = target[key]
                    self.extend_keywords(target, keywords, f"{name}.{property_path}")
            for property_name, extension in SCHEMA_PROPERTY_EXTENSIONS.get(name, {}).items():
                if property_name in rewritten.get("properties", {}):
                    raise SystemExit(f"{self.spec}: extension property {name}.{property_name} is a contract property")
                rewritten.setdefault("properties", {})[property_name] = copy.deepcopy(extension)
            if name not in SCHEMA_TEXT:
                self.fail_missing(f"schema {name}")
            else:
                rewritten["description"] = SCHEMA_TEXT[name]
            out[name] = rewritten
        return out

    # Operations ----------------------------------------------------------------------------------------

    def content(self, content: dict) -> dict:
        out = {}
        for media_type, media in content.items():
            media_out = {}
            for key, value in media.items():
                if key in ("example", "examples"):
                    continue
                media_out[key] = self.schema(value) if key == "schema" else copy.deepcopy(value)
            out[media_type] = media_out
        return out

    def parameter(self, parameter: dict, operation_id: str) -> dict:
        out = {}
        for key, value in parameter.items():
            if key in ("description", "example", "examples"):
                continue
            out[key] = self.schema(value) if key == "schema" else copy.deepcopy(value)
        name = parameter["name"]
        for key in ((operation_id, name, parameter["in"]), ("*", name, parameter["in"])):
            if key in PARAMETER_KEYWORD_EXTENSIONS:
                self.extend_keywords(out["schema"], PARAMETER_KEYWORD_EXTENSIONS[key], f"parameter {name} of {operation_id}")
        text = PARAMETER_TEXT_BY_OPERATION.get((operation_id, name), PARAMETER_TEXT.get(name))
        if text is None:
            self.fail_missing(f"parameter {name}")
        else:
            out["description"] = text
        return out

    def response(self, status: str, response: dict, text: str | None = None) -> dict:
        out = {}
        for key, value in response.items():
            if key == "description":
                continue
            if key == "content":
                out[key] = self.content(value)
            elif key == "headers":
                out[key] = {
                    name: {k: (self.schema(v) if k == "schema" else copy.deepcopy(v)) for k, v in header.items() if k != "description"}
                    for name, header in value.items()
                }
            else:
                out[key] = copy.deepcopy(value)
        if text is None:
            if status not in RESPONSE_TEXT:
                self.fail_missing(f"response status {status}")
            text = RESPONSE_TEXT.get(status, "")
        out["description"] = text
        return out

    def operation(self, operation: dict) -> dict:
        operation_id = operation["operationId"]
        out = {}
        for key, value in operation.items():
            if key in ("description", "summary"):
                continue
            if key == "parameters":
                out[key] = [self.parameter(p, operation_id) for p in value]
            elif key == "requestBody":
                out[key] = {k: (self.content(v) if k == "content" else copy.deepcopy(v)) for k, v in value.items() if k != "description"}
            elif key == "responses":
                out[key] = {status: self.response(status, r) for status, r in value.items()}
            else:
                out[key] = copy.deepcopy(value)
        for (extended_operation, status), headers in RESPONSE_HEADER_EXTENSIONS.items():
            if extended_operation != operation_id:
                continue
            existing = out["responses"][status].setdefault("headers", {})
            if set(headers) & set(existing):
                raise SystemExit(f"{self.spec}: extension headers of {operation_id} {status} are contract headers")
            existing.update(copy.deepcopy(headers))
        if "requestBody" in out and "413" not in out["responses"]:
            out["responses"]["413"] = copy.deepcopy(BODY_TOO_LARGE)
        if "requestBody" in out and "415" not in out["responses"]:
            out["responses"]["415"] = copy.deepcopy(UNSUPPORTED_MEDIA_TYPE)
        for status in STATUS_EXTENSIONS.get(operation_id, []):
            if status in out["responses"]:
                raise SystemExit(f"{self.spec}: {operation_id} already lists {status}; drop the extension")
            out["responses"][status] = {"description": RESPONSE_TEXT[status], "content": PROBLEM_CONTENT, "x-kaiten-extension": True}
        if operation_id not in OPERATION_TEXT:
            self.fail_missing(f"operation {operation_id}")
        else:
            out["summary"], out["description"] = OPERATION_TEXT[operation_id]
        return out

    def webhook(self, event_type: str, item: dict) -> dict:
        out = {}
        for method, operation in item.items():
            op = {}
            for key, value in operation.items():
                if key in ("description", "summary"):
                    continue
                if key == "requestBody":
                    op[key] = {k: (self.content(v) if k == "content" else copy.deepcopy(v)) for k, v in value.items() if k != "description"}
                elif key == "responses":
                    op[key] = {status: self.response(status, r, WEBHOOK_RESPONSE_TEXT) for status, r in value.items()}
                else:
                    op[key] = copy.deepcopy(value)
            if event_type not in WEBHOOK_TEXT:
                self.fail_missing(f"webhook {event_type}")
            else:
                op["summary"], op["description"] = WEBHOOK_TEXT[event_type]
            out[method] = op
        return out

    def security_schemes(self, schemes: dict) -> dict:
        out = {}
        for name, scheme in schemes.items():
            rewritten = {k: copy.deepcopy(v) for k, v in scheme.items() if k != "description"}
            if name not in SECURITY_SCHEME_TEXT:
                self.fail_missing(f"security scheme {name}")
            else:
                rewritten["description"] = SECURITY_SCHEME_TEXT[name]
            out[name] = rewritten
        return out


def refs(node) -> set[str]:
    """Every component schema name referenced anywhere under `node`."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith("#/components/schemas/"):
                found.add(value.rsplit("/", 1)[1])
            elif key not in DATA_KEYWORDS:
                found |= refs(value)
    elif isinstance(node, list):
        for value in node:
            found |= refs(value)
    return found


def closure(roots: set[str], schemas: dict) -> set[str]:
    seen: set[str] = set()
    pending = sorted(roots)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        if name not in schemas:
            raise SystemExit(f"dangling reference to #/components/schemas/{name}")
        seen.add(name)
        pending.extend(sorted(refs(schemas[name]) - seen))
    return seen


def select_operations(contract: dict, wanted: list[str], spec: str) -> dict:
    paths: dict = {}
    found: set[str] = set()
    for path, item in contract["paths"].items():
        for method, operation in item.items():
            if method not in HTTP_METHODS:
                raise SystemExit(f"{spec}: path-level key {method!r} on {path} is not handled")
            if operation.get("operationId") in wanted:
                paths.setdefault(path, {})[method] = operation
                found.add(operation["operationId"])
    missing = sorted(set(wanted) - found)
    if missing:
        raise SystemExit(f"{spec}: operations not in the contract: {missing}")
    return paths


def build(contract: dict, spec: str, operations: list[str], webhooks: list[str], extensions: dict) -> dict:
    gen = Generator(spec)
    selected = select_operations(contract, operations, spec)
    document: dict = {
        "openapi": contract["openapi"],
        "info": {"title": INFO[spec]["title"], "version": "1.0.0", "description": INFO[spec]["description"]},
        "servers": [{"url": "/api"}],
        "security": copy.deepcopy(contract["security"]),
        "paths": {},
    }
    for path, item in selected.items():
        document["paths"][path] = {method: gen.operation(op) for method, op in item.items()}
    for path, item in extensions.items():
        if path in document["paths"]:
            raise SystemExit(f"{spec}: extension path {path} collides with a contract path")
        document["paths"][path] = copy.deepcopy(item)
    if webhooks:
        missing = sorted(set(webhooks) - set(contract.get("webhooks", {})))
        if missing:
            raise SystemExit(f"{spec}: webhooks not in the contract: {missing}")
        document["webhooks"] = {name: gen.webhook(name, contract["webhooks"][name]) for name in webhooks}
    all_schemas = contract["components"]["schemas"]
    kept = closure(refs(document["paths"]) | refs(document.get("webhooks", {})), all_schemas)
    document["components"] = {
        "schemas": gen.component_schemas({name: all_schemas[name] for name in sorted(kept)}),
        "securitySchemes": gen.security_schemes(contract["components"]["securitySchemes"]),
    }
    if gen.missing:
        raise SystemExit("\n".join(gen.missing))
    return document


def render(document: dict) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contract", type=Path, default=ROOT.parent / "shared" / "contract",
                        help="folder holding openapi.yaml and platform-openapi.yaml (default: ../shared/contract)")
    parser.add_argument("--output", type=Path, default=ROOT / "Sources" / "KaitenApp" / "Resources",
                        help="folder to write openapi.json and platform-openapi.json into")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the outputs would change")
    args = parser.parse_args()

    core = yaml.safe_load((args.contract / "openapi.yaml").read_text(encoding="utf-8"))
    platform = yaml.safe_load((args.contract / "platform-openapi.yaml").read_text(encoding="utf-8"))
    every_platform_operation = {
        op["operationId"] for item in platform["paths"].values() for op in item.values() if isinstance(op, dict)
    }
    if every_platform_operation != set(PLATFORM_OPERATIONS):
        raise SystemExit(f"the platform contract's operations changed: {sorted(every_platform_operation ^ set(PLATFORM_OPERATIONS))}")
    outputs = {
        "openapi.json": render(build(core, "core", CORE_OPERATIONS, CORE_WEBHOOKS, CORE_EXTENSIONS)),
        "platform-openapi.json": render(build(platform, "platform", PLATFORM_OPERATIONS, [], {})),
    }
    stale = []
    for name, text in outputs.items():
        target = args.output / name
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        stale.append(name)
        if not args.check:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    if args.check:
        if stale:
            print("stale: " + ", ".join(stale), file=sys.stderr)
            return 1
        print("up to date")
        return 0
    print("wrote: " + (", ".join(stale) if stale else "nothing (already up to date)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
