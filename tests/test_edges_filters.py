"""Edges of the shared paging and filter rules (vmrules/operations/filters.py) that the per-operation tests leave
open: the statement of a filter-values rule names its single-valued filters only when there are some."""

from __future__ import annotations

import pytest

from vmrules.catalogue import CATALOGUE


@pytest.mark.rule("DESCRIBE_INSTANCES.FILTER_VALUES")
@pytest.mark.rule("DESCRIBE_QUOTAS.FILTER_VALUES")
def test_the_filter_values_statement_names_the_single_valued_filters_only_when_there_are_some() -> None:
    assert CATALOGUE["DESCRIBE_INSTANCES.FILTER_VALUES"].rule.statement == (
        "Each filter has at least one value; name, agId take exactly one.")
    assert CATALOGUE["DESCRIBE_QUOTAS.FILTER_VALUES"].rule.statement == "Each filter has at least one value."
