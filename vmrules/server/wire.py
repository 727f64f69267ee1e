"""Moved to ``vmrules.wire.query`` and ``vmrules.wire.routes``; these names are kept for existing importers."""

from vmrules.wire.query import MAX_LIST_INDEX, MAX_QUERY_DEPTH, QueryError, typed, typed_params, unflatten
from vmrules.wire.routes import API_PREFIX, ROUTES, Route, match

__all__ = ["API_PREFIX", "MAX_LIST_INDEX", "MAX_QUERY_DEPTH", "ROUTES", "QueryError", "Route", "match", "typed",
           "typed_params", "unflatten"]
