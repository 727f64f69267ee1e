"""schemathesis against ``vmrules serve`` from its own OpenAPI document (issue 20): no 5xx, every response
matches its documented schema, every 4xx uses the JD error envelope. The test starts the emulator on a free
loopback port and stops it; the example count per operation is bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from vmrules.schema import openapi_document
from vmrules.server.process import ServerProcess

EXAMPLES_PER_OPERATION = 5
SCHEMA = schemathesis.openapi.from_dict(openapi_document())


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    with ServerProcess("--no-auth", "--host", "127.0.0.1") as server:
        yield f"http://127.0.0.1:{server.port}/v1"


def jd_error_envelope(response: Any) -> None:
    if not 400 <= response.status_code < 500:
        return
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    ok = (isinstance(body, dict) and isinstance(body.get("requestId"), str) and isinstance(error, dict)
          and error.get("code") == response.status_code and isinstance(error.get("status"), str)
          and isinstance(error.get("message"), str))
    assert ok, f"{response.status_code} without the JD error envelope: {str(body)[:300]}"


@SCHEMA.parametrize()
@settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_the_emulator_answers_its_openapi_document(case: Any, emulator: str) -> None:
    response = case.call(base_url=emulator, timeout=30)
    assert response.status_code < 500, (case.method, case.path, response.text[:300])
    # The checks. Not among them: schemathesis's "a schema-valid request is accepted" (a valid-looking
    # request is refused by the world: unknown ids are 404). The Allow header of a 405 is tested in test_server.
    case.validate_response(response, checks=[not_a_server_error, status_code_conformance, content_type_conformance,
                                             response_schema_conformance])
    jd_error_envelope(response)
