"""What a front end hears while a question is answered: its place in the model's line, the text the model
has written so far (not yet verified), and the moment verification starts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Progress:
    stage: Literal["queued", "writing", "verifying"]
    place: int = 0  # queued: questions ahead of this one (1 = next)
    text: str = ""  # writing: the draft so far, unverified


OnProgress = Callable[[Progress], None]
