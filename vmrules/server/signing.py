"""Moved to ``vmrules.wire.signing``; these names are kept for existing importers."""

from vmrules.wire.signing import AuthError, SignedRequest, signature, verify

__all__ = ["AuthError", "SignedRequest", "signature", "verify"]
