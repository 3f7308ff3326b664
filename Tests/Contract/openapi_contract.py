"""The vendored Kaiten contract (./contract), and JSON Schema validation against it.

Both documents are loaded once. Their schemas are validated as JSON Schema 2020-12 (OpenAPI 3.1's dialect)
through a `referencing` registry that holds each whole document under its own URI, so a schema anywhere in
a document is addressed as `<uri>#<JSON pointer>` and its `#/components/...` references resolve inside it.
"""

from __future__ import annotations

import copy
from functools import cache
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

CONTRACT_DIR = Path(__file__).resolve().parent / "contract"
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SPECS = {
    "core": ("openapi.yaml", "https://contract.kaiten.test/openapi.yaml"),
    "platform": ("platform-openapi.yaml", "https://contract.kaiten.test/platform-openapi.yaml"),
}

# Keywords that are prose or illustration, not facts.
PROSE = {"description", "summary", "title", "example", "examples"}
# Keywords whose values are data, never schemas.
DATA_KEYWORDS = {"enum", "const", "default", "example", "examples", "x-kaiten-scopes", "required"}


# Format assertions are only as good as the optional checkers installed: without them `date-time` and
# `uri` silently pass anything. Refuse to run half-blind.
if Draft202012Validator.FORMAT_CHECKER.conforms("yesterday", "date-time") or Draft202012Validator.FORMAT_CHECKER.conforms(
    "not a uri", "uri"
):
    raise RuntimeError("format checking needs rfc3339-validator and rfc3986-validator (see requirements.txt)")


@cache
def contract(spec: str) -> dict:
    file_name, _ = SPECS[spec]
    return yaml.safe_load((CONTRACT_DIR / file_name).read_text(encoding="utf-8"))


def contract_uri(spec: str) -> str:
    return SPECS[spec][1]


@cache
def registry() -> Registry:
    return Registry().with_resources(
        (uri, Resource.from_contents(contract(spec), default_specification=DRAFT202012))
        for spec, (_, uri) in SPECS.items()
    )


def pointer(*tokens: str) -> str:
    """A JSON pointer from raw tokens."""
    return "".join("/" + token.replace("~", "~0").replace("/", "~1") for token in tokens)


def validator(uri: str, json_pointer: str, registry_: Registry | None = None) -> Draft202012Validator:
    """A validator for the schema at `uri#json_pointer`, with format assertions on."""
    return Draft202012Validator(
        {"$ref": f"{uri}#{json_pointer}"},
        registry=registry_ or registry(),
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def operations(document: dict) -> dict[str, tuple[str, str, dict]]:
    """operationId -> (path, method, operation)."""
    found: dict[str, tuple[str, str, dict]] = {}
    for path, item in document.get("paths", {}).items():
        for method, operation in item.items():
            if method in HTTP_METHODS:
                assert operation["operationId"] not in found, f"duplicate operationId {operation['operationId']}"
                found[operation["operationId"]] = (path, method, operation)
    return found


def resolve(document: dict, node):
    """Follows a local `$ref` (a whole node that is only a reference, plus prose siblings)."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        assert ref.startswith("#/"), f"only local references are expected, got {ref}"
        assert ref not in seen, f"reference cycle at {ref}"
        seen.add(ref)
        target = document
        for token in ref[2:].split("/"):
            target = target[token.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def facts(document: dict, node, stack: tuple[str, ...] = ()):
    """`node` with every `$ref` inlined and every prose keyword removed: what two documents must agree on.

    Property maps are walked by name, so a property called `description` or `title` is kept. A recursive
    reference is left as a `$ref` to stop the expansion.
    """
    if isinstance(node, list):
        return [facts(document, item, stack) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in stack:
            return {"$ref": ref}
        target = resolve(document, {"$ref": ref})
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        merged = facts(document, target, stack + (ref,))
        extra = facts(document, siblings, stack)
        if extra:
            merged = {"allOf": [merged, extra]} if isinstance(merged, dict) and set(extra) & set(merged) else {**merged, **extra}
        return merged
    out = {}
    for key, value in node.items():
        if key in PROSE:
            continue
        if key in DATA_KEYWORDS:
            out[key] = sorted(value) if key == "required" and isinstance(value, list) else copy.deepcopy(value)
        elif key in ("properties", "patternProperties", "$defs", "headers", "content", "responses", "schemas"):
            out[key] = {name: facts(document, sub, stack) for name, sub in value.items()}
        else:
            out[key] = facts(document, value, stack)
    return out
