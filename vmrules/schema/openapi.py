"""One OpenAPI 3.1 document for the 35 operations, as the official SDK sends them and ``vmrules serve`` answers.

Paths and verbs are the operations' own (``Operation.method``/``.path``, which tests/test_schema.py compares
with the installed ``jdcloud_sdk`` request classes). Path parameters come from the path; GET and DELETE carry the
other parameters in the query string, POST in a JSON body. Every operation answers 200 with the result envelope
and 4xx/5xx with the JD Cloud error envelope. Parameter schemas are the request schemas of
``vmrules.schema.request`` (so the same rule data), split by location; results are ``vmrules.schema.result``'s.
"""

from __future__ import annotations

import copy
import json
import re
from functools import cache

from vmrules.operations import OPERATION_TABLE
from vmrules.schema.request import JSON, request_schema
from vmrules.schema.result import result_schema

OPENAPI_VERSION = "3.1.0"
SERVER = "https://vm.jdcloud-api.com/v1"
ERROR_STATUSES: dict[str, str] = {
    "400": "INVALID_ARGUMENT or FAILED_PRECONDITION: a parameter or the state refuses the request",
    "401": "UNAUTHENTICATED: the request is not signed correctly (emulator with credentials)",
    "403": "PERMISSION_DENIED: the caller may not act on the resource",
    "404": "NOT_FOUND: a referenced resource is absent, in another region or of another account",
    "405": "METHOD_NOT_ALLOWED: the path exists with another verb",
    "413": "INVALID_ARGUMENT: the body is too large",
    "429": "QUOTA_EXCEEDED: a quota would be exceeded",
    "500": "INTERNAL: a failure inside the service; nothing was applied",
}
FLATTENING = (
    "GET and DELETE carry their parameters in the query string. Lists and objects are flattened the way the "
    "official SDK flattens them, with 1-based indexes: `ids.1=a&ids.2=b`, "
    "`filters.1.name=status&filters.1.values.1=running&filters.1.values.2=stopped`. Integers and booleans are "
    "text (`pageSize=20`, `true`)."
)
_PATH_PARAMETER = re.compile(r"\{(\w+)\}")


def _envelope_components() -> JSON:
    error = {
        "type": "object",
        "required": ["code", "status", "message"],
        "properties": {
            "code": {"type": "integer", "description": "the HTTP status code"},
            "status": {"type": "string", "description": "the canonical status name (docs/errors.md)"},
            "message": {"type": "string"},
        },
    }
    return {
        "schemas": {
            "Error": error,
            "ErrorEnvelope": {
                "type": "object",
                "required": ["requestId", "error"],
                "properties": {"requestId": {"type": "string"}, "error": {"$ref": "#/components/schemas/Error"}},
            },
        },
        "responses": {code: {"description": text, "content": {"application/json": {
            "schema": {"$ref": "#/components/schemas/ErrorEnvelope"}}}} for code, text in ERROR_STATUSES.items()},
    }


def _operation(name: str) -> tuple[str, str, JSON]:
    op = OPERATION_TABLE[name]
    schema = request_schema(name)
    properties: JSON = schema.get("properties", {})
    required = set(schema.get("required", ()))
    in_path = _PATH_PARAMETER.findall(op.path)
    parameters: list[JSON] = []
    for param in in_path:
        parameters.append({"name": param, "in": "path", "required": True,
                           "schema": {"type": "string", **_plain(properties.get(param, {}))}})
    rest = {k: v for k, v in properties.items() if k not in in_path}
    body: JSON | None = None
    if op.method in ("GET", "DELETE"):
        for field, sub in rest.items():
            entry: JSON = {"name": field, "in": "query", "required": field in required, "schema": sub}
            if sub.get("type") in ("array", "object"):
                entry["description"] = FLATTENING
                entry["style"] = "form"
                entry["explode"] = True
            parameters.append(entry)
    elif rest:
        body_schema: JSON = {"type": "object", "properties": rest}
        body_required = [k for k in schema.get("required", ()) if k not in in_path]
        if body_required:
            body_schema["required"] = body_required
        if "allOf" in schema:
            body_schema["allOf"] = copy.deepcopy(schema["allOf"])
        body = {"required": bool(body_required), "content": {"application/json": {"schema": body_schema}}}
    result = result_schema(name)
    result.pop("$schema")
    result_envelope = {
        "type": "object",
        "required": ["requestId", "result"],
        "properties": {"requestId": {"type": "string"}, "result": result},
    }
    operation: JSON = {
        "operationId": name,
        "summary": op.summary,
        "description": f"Rules: `vmrules rules --op {name}`; semantics: docs/spec/{name}.md.",
        "parameters": parameters,
        "responses": {
            "200": {"description": "the result envelope",
                    "content": {"application/json": {"schema": result_envelope}}},
            **{code: {"$ref": f"#/components/responses/{code}"} for code in ERROR_STATUSES},
        },
    }
    if body is not None:
        operation["requestBody"] = body
    return op.path, op.method.lower(), operation


def _plain(schema: JSON) -> JSON:
    return {k: v for k, v in schema.items() if k in ("title", "description", "enum", "pattern")}


def openapi_document() -> JSON:
    """The OpenAPI 3.1 document of the JD Cloud VM API v1 as vmrules models it (a fresh copy each call)."""
    return copy.deepcopy(_document())


@cache
def _document() -> JSON:
    paths: JSON = {}
    for name in sorted(OPERATION_TABLE):
        path, method, operation = _operation(name)
        paths.setdefault(path, {})[method] = operation
    return {
        "openapi": OPENAPI_VERSION,
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": "JD Cloud VM (云主机) API v1, as vmrules models it",
            "version": "1.0.0",
            "description": "Generated by `vmrules schema --openapi` from the request models and the rule data. "
            + FLATTENING + " The emulator (`vmrules serve`) serves this document at GET /openapi.json.",
        },
        "servers": [{"url": SERVER, "description": "JD Cloud"},
                    {"url": "http://127.0.0.1:8000/v1", "description": "vmrules serve (default port)"}],
        "paths": dict(sorted(paths.items())),
        "components": _envelope_components(),
    }


def openapi_text() -> str:
    """The document as published in docs/openapi.json (stable key order, UTF-8, trailing newline)."""
    return json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n"
