"""Errors that reach users as one short line (never a traceback)."""

from __future__ import annotations


class CorridorError(Exception):
    """Base class: the message is safe and short enough to show a user as it is."""


class InputError(CorridorError):
    """The user gave something unusable: an empty question, a bad URL, an unreadable file."""


class StoreUnavailable(CorridorError):
    """The vector store (embedded Chroma or a Chroma server) cannot be reached."""


class IngestBusy(CorridorError):
    """Another ingest holds the store's write lock."""
