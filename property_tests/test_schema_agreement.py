"""The JSON Schemas agree with the engine (issue 20): every valid request the public strategies generate passes
its schema, and the schema rejects at least 90% of the invalid ones whose violation is a REQUEST or PARAMETERS
rule. Prints the agreement figure and the rules a schema cannot express (pytest -s shows them)."""

from __future__ import annotations

from collections import Counter
from functools import cache

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vmrules import OPERATIONS
from vmrules.catalogue import CATALOGUE
from vmrules.rules import Phase
from vmrules.schema.constraints import inexpressible_rules
from vmrules.schema.request import request_schema
from vmrules.testing.strategies import invalid_requests, valid_requests, worlds

REQUIRED_REJECTION = 0.90


@cache
def _validator(operation: str, strict: bool, regions: tuple[str, ...]) -> jsonschema.Draft202012Validator:
    schema = request_schema(operation, strict=strict, regions=list(regions))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_schemas_accept_valid_and_reject_parameter_level_invalid_requests() -> None:
    counts: Counter[str] = Counter()
    missed: Counter[str] = Counter()
    examples = max(60, 4 * (settings().max_examples or 30))

    @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def sample(data: st.DataObject) -> None:
        world = data.draw(worlds(max_instances=3))
        operation = data.draw(st.sampled_from(OPERATIONS))
        regions = tuple(world.regions)
        params = data.draw(valid_requests(world, operation))
        for strict in (False, True):
            errors = [e.message for e in _validator(operation, strict, regions).iter_errors(params)]
            assert errors == [], (operation, strict, params, errors)
        counts["valid"] += 1
        bad, rule = data.draw(invalid_requests(world, operation))
        if CATALOGUE[rule].rule.phase > Phase.PARAMETERS:
            return
        counts["invalid"] += 1
        if _validator(operation, True, regions).is_valid(bad):
            missed[rule] += 1
        else:
            counts["rejected"] += 1

    sample()
    share = counts["rejected"] / max(counts["invalid"], 1)
    print(f"\nschema agreement: {counts['valid']} valid requests all pass; {counts['rejected']} of "
          f"{counts['invalid']} parameter-level invalid requests rejected ({share:.1%})")
    print(f"missed, by rule: {dict(missed.most_common())}")
    print(f"rules the schemas do not carry: {', '.join(inexpressible_rules())}")
    assert counts["invalid"] >= 20
    assert share >= REQUIRED_REJECTION, missed
