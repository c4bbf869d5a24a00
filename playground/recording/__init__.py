"""Record and replay on vcrpy's cassette format: modes, scrubbing, indexed matching, mismatch diffs,
and live-streaming recording transports."""

from playground.recording.errors import CassetteError, ReplayMismatch
from playground.recording.recorder import (
    RECORD_MODES,
    CassetteRun,
    Recorder,
    default_cassette_path,
    use_cassette,
)

__all__ = ["RECORD_MODES", "CassetteError", "CassetteRun", "Recorder", "ReplayMismatch",
           "default_cassette_path", "use_cassette"]
