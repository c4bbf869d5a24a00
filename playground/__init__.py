"""playground: a terminal playground for LLM tool calling with record/replay."""

__version__ = "0.1.0"
