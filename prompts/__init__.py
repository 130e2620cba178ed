"""Prompt templates, kept as files beside this module so they can be read and changed in one place."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_HERE = Path(__file__).parent


@cache
def load(name: str) -> str:
    """The text of prompts/<name>.txt."""
    path = _HERE / f"{name}.txt"
    if not path.is_file():
        raise FileNotFoundError(f"no prompt named {name!r} in {_HERE}")
    return path.read_text(encoding="utf-8")
