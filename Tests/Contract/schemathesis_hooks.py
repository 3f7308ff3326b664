"""Schemathesis checks of our own, loaded through SCHEMATHESIS_HOOKS by test_schemathesis.py.

Schemathesis's `positive_data_acceptance` expects every schema-valid request to succeed. Kaiten also refuses
requests for reasons no schema states (a slug that may not be renamed, an expiry in the past, a cursor this
server did not issue, a grant of the wrong type), each with its own business code, so that check cannot pass
on any real API. This one holds the documents to what they can promise: a request generated as schema-valid
is never refused as a schema violation (`UNPROCESSABLE`, or an unreadable or wrongly typed body), so every
constraint the server checks at the schema level is stated in the served document.
"""

from __future__ import annotations

import schemathesis

# The codes of refusals a schema could have predicted.
SCHEMA_LEVEL_CODES = {
    "UNPROCESSABLE",
    "BAD_REQUEST",
    "Request.MalformedJSON",
    "Request.MissingBody",
    "Request.UnsupportedMediaType",
    "Request.BodyTooLarge",
}


@schemathesis.check
def schema_valid_requests_pass_schema_validation(ctx, response, case):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    if case.method.upper() != case.operation.method.upper() or response.status_code < 400 or response.status_code >= 500:
        return None
    try:
        code = response.json().get("code")
    except Exception:
        return None
    if code in SCHEMA_LEVEL_CODES:
        raise AssertionError(
            f"a request valid under the served document was refused as a schema violation ({response.status_code} {code}): "
            "the document must state the constraint the server checked"
        )
    return None
