#!/usr/bin/env python3
"""Generates the OpenAPI documents this server serves from Kaiten's published contract.

The contract (kaitencloud/sdk-python's `openapi.yaml` and `platform-openapi.yaml`, Apache-2.0) is the
source of the facts: paths, methods, operation ids, parameters, JSON names, types, formats, patterns,
bounds, enums, required lists, status codes, media types, security requirements and scopes. This script
keeps exactly the operations the server implements, and every component schema they reach, and replaces
the contract's prose (summaries and descriptions, examples) with this project's own. Where this project has
no text of its own for a schema property, the property simply carries no description.

Operations the contract does not have (health, readiness, token validation) are added here and marked
`x-kaiten-extension: true`, as are the 413 responses of operations that take a request body.

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
    "get-service-accounts",
    "create-service-account",
    "get-service-account",
    "update-service-account",
    "get-service-account-tokens",
    "create-service-account-token",
    "delete-service-account-token",
]

CORE_WEBHOOKS = [
    "com.kaiten.customer.v1.created",
    "com.kaiten.customer.v1.updated",
    "com.kaiten.customer.v1.deleted",
    "com.kaiten.identity.v1.system_token_issued",
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
    "cursor": "The `nextCursor` of the previous page. Leave out to start at the first page.",
    "limit": "How many items to return at most: 1 to 200, 50 when left out.",
    "customerSlug": "The customer's slug.",
    "serviceAccountSlug": "The service account's slug.",
    "tokenSlug": "The token's slug.",
    "orgId": "The organization's id (a UUID).",
    "userId": "The user's id (a UUID).",
    "id": "The user's id (a UUID).",
}

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
    "413": "The request body is larger than this server accepts.",
    "422": "The request is well-formed but invalid; `errors` lists each offending location.",
    "500": "The server failed. `errorId` identifies the log entry with the cause.",
    "503": "The server cannot serve the request right now; retry later.",
}

# Webhook event type -> (summary, description)
WEBHOOK_TEXT = {
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
}
WEBHOOK_RESPONSE_TEXT = "The receiver accepted the delivery."

# Component schema name -> description.
SCHEMA_TEXT = {
    "Customer": "A customer of the organization: an end client that instances and licenses belong to.",
    "CustomerIntegration": "How a customer is linked to its record in one third-party system.",
    "PageCustomer": "One page of customers.",
    "ServiceAccount": "A non-human user of the organization that owns API tokens.",
    "PageServiceAccount": "One page of service accounts.",
    "Token": "The metadata of an access token. The secret value is never part of it.",
    "PlainToken": "An access token as returned once, at creation, including its secret value in `token`.",
    "PageToken": "One page of token metadata.",
    "User": "A reference to the user who performed an action.",
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

BODY_TOO_LARGE = {
    "description": RESPONSE_TEXT["413"],
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

    def component_schemas(self, schemas: dict) -> dict:
        out = {}
        for name, node in schemas.items():
            rewritten = self.schema(node, owner=name)
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

    def parameter(self, parameter: dict) -> dict:
        out = {}
        for key, value in parameter.items():
            if key in ("description", "example", "examples"):
                continue
            out[key] = self.schema(value) if key == "schema" else copy.deepcopy(value)
        name = parameter["name"]
        if name not in PARAMETER_TEXT:
            self.fail_missing(f"parameter {name}")
        else:
            out["description"] = PARAMETER_TEXT[name]
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
                out[key] = [self.parameter(p) for p in value]
            elif key == "requestBody":
                out[key] = {k: (self.content(v) if k == "content" else copy.deepcopy(v)) for k, v in value.items() if k != "description"}
            elif key == "responses":
                out[key] = {status: self.response(status, r) for status, r in value.items()}
            else:
                out[key] = copy.deepcopy(value)
        if "requestBody" in out and "413" not in out["responses"]:
            out["responses"]["413"] = copy.deepcopy(BODY_TOO_LARGE)
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
