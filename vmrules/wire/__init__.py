"""The JD Cloud wire layer shared by every shell that speaks the REST API (the emulator, the in-process SDK mock).

Routing, query flattening, signature verification and the error envelope: a transport-neutral request in, a
response out. It calls the engine through the shell's ``Run``; the core never imports this package.
"""

from vmrules.wire.envelope import Response, error_response, json_body, reason_phrase
from vmrules.wire.gateway import MAX_BODY_BYTES, Authenticator, Run, WireRequest, answer, body_too_large, read_params
from vmrules.wire.nonces import NonceMemory

__all__ = [
           "MAX_BODY_BYTES",
           "Authenticator",
           "NonceMemory",
           "Response",
           "Run",
           "WireRequest",
           "answer",
           "body_too_large",
           "error_response",
           "json_body",
           "read_params",
           "reason_phrase",
]
