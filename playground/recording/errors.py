"""What can go wrong with a cassette: an unusable file (CassetteError) or a request it does not hold
(ReplayMismatch, whose `user_message` and `details` the engine shows as a replay error)."""

from __future__ import annotations

from typing import Any

from playground.core.session import InputError


class CassetteError(InputError):
    """A cassette that is missing, unreadable, corrupt, unsafe, or would hold a secret."""


class ReplayMismatch(Exception):
    """A request the cassette cannot answer."""

    def __init__(self, user_message: str, details: dict[str, Any] | None = None):
        self.user_message = user_message
        self.details = dict(details or {})
        super().__init__(user_message)

