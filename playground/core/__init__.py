"""Headless core: tools, mocks, sessions, transcripts, providers, the engine, the offline model.

Imports neither textual nor rich.
"""
