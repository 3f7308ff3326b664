"""Schemathesis, every check, over the OpenAPI documents the server serves: what the documents say is what the
server does.

Bounded (a fixed number of examples per operation, a fixed seed, no example database carried between runs)
so that the run is the same every time and both documents take about two minutes on two cores. Set
KAITEN_SCHEMATHESIS_EXAMPLES for a longer search; a failure prints schemathesis's own report, with a curl
command per finding.

One of schemathesis's checks is replaced, for a stated reason:

- `positive_data_acceptance` wants every schema-valid request to succeed, but Kaiten refuses some for reasons
  no schema states (a slug that may not be renamed, an expiry in the past, a cursor it did not issue), each
  with its business code. `schema_valid_requests_pass_schema_validation` (schemathesis_hooks.py) checks what a
  document can promise instead: no schema-valid request is refused as a schema violation.

Schemathesis gets a server of its own: connectors are registered platform-wide, and another test's connector
(naming an entitlement this organization does not have) once led its stateful phase to a correct 404 it took
for a lost resource. On its own server, everything it reads is what it wrote, and a run is the same each time.

NUL characters are not generated: PostgreSQL text cannot hold them, the server refuses them with 422
(test_bad_input.py covers that), and JSON Schema has no way to say so short of a pattern on every string.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import running_kaiten_dev

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
HOOKS_DIRECTORY = Path(__file__).resolve().parent
EXAMPLES = int(os.environ.get("KAITEN_SCHEMATHESIS_EXAMPLES", "10"))
SEED = 20261203
DOCUMENTS = {"core": "openapi.json", "platform": "platform-openapi.json"}


def run_schemathesis(url: str, token: str, directory: Path) -> subprocess.CompletedProcess:
    command = [
        str(SCHEMATHESIS), "run", url,
        "--checks", "all",
        "--exclude-checks", "positive_data_acceptance",
        "--header", f"Authorization: Bearer {token}",
        "--max-examples", str(EXAMPLES),
        "--seed", str(SEED),
        "--generation-database", "none",
        "--generation-allow-x00", "false",
        "--workers", "1",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--suppress-health-check", "all",
        "--request-timeout", "30",
        "--no-color",
    ]
    environment = {
        **os.environ,
        "NO_COLOR": "1",
        "SCHEMATHESIS_HOOKS": "schemathesis_hooks",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(HOOKS_DIRECTORY), os.environ.get("PYTHONPATH")])),
    }
    # schemathesis writes its state under the working directory; keep it out of the repository.
    return subprocess.run(command, capture_output=True, text=True, timeout=900, env=environment, cwd=directory)


@pytest.fixture(scope="module")
def own_kaiten():
    with running_kaiten_dev("kaiten-schemathesis-") as server:
        yield server


@pytest.mark.skipif(not SCHEMATHESIS.exists(), reason="schemathesis is not installed (Tests/Contract/requirements.txt)")
@pytest.mark.parametrize("spec", sorted(DOCUMENTS))
def test_schemathesis_finds_nothing(own_kaiten, spec, tmp_path):
    base = own_kaiten.core_url if spec == "core" else own_kaiten.platform_url
    token = own_kaiten.org_token if spec == "core" else own_kaiten.platform_token
    result = run_schemathesis(f"{base}/{DOCUMENTS[spec]}", token, tmp_path)
    assert result.returncode == 0, f"schemathesis found problems in the {spec} document:\n{result.stdout[-30000:]}\n{result.stderr[-3000:]}"
    assert " passed" in result.stdout, result.stdout[-3000:]
