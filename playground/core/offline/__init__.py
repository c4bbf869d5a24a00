"""The embedded offline model: deterministic answers over OpenAI's wire protocol on loopback."""

from playground.core.offline.model import (
    CREATED,
    DEFAULT_MODEL,
    MODEL_PREFIX,
    OfflineError,
    complete,
    fill_arguments,
    model_name,
    stream,
)
from playground.core.offline.server import (
    OfflineServer,
    ensure_offline_server,
    offline_handler,
)

__all__ = [
    "CREATED", "DEFAULT_MODEL", "MODEL_PREFIX", "OfflineError", "OfflineServer", "complete",
    "ensure_offline_server", "fill_arguments", "model_name", "offline_handler", "stream",
]
