"""Machine-readable spec: JSON Schemas of the requests and an OpenAPI 3.1 document, generated from the request
models and the rule data (``vmrules.schema.constraints``). A shell: the core never imports it."""

from __future__ import annotations

from vmrules.schema.openapi import openapi_document, openapi_text
from vmrules.schema.request import field_description, field_descriptions, request_schema
from vmrules.schema.result import result_schema

__all__ = ["field_description", "field_descriptions", "openapi_document", "openapi_text", "request_schema",
           "result_schema"]
