"""The one small domain error class beside Django's ValidationError."""


class ConflictError(Exception):
    """Someone else changed the record first; the caller's change was not applied (HTTP 409)."""
