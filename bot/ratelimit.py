"""Per-user sliding-window rate limit with bounded memory."""

from __future__ import annotations

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable


class RateLimiter:
    """At most `count` hits per `window_s` seconds per key; remembers at most `max_keys` keys."""

    def __init__(
        self,
        count: int,
        window_s: float,
        *,
        max_keys: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.count = count
        self.window_s = window_s
        self.max_keys = max_keys
        self.clock = clock
        self._hits: OrderedDict[Hashable, deque[float]] = OrderedDict()

    def hit(self, key: Hashable) -> float:
        """Record a hit and return 0.0, or return the seconds to wait (the hit is not recorded)."""
        now = self.clock()
        hits = self._hits.get(key)
        if hits is None:
            self._evict(now)  # before adding, so the new key is never the one evicted
            hits = self._hits[key] = deque()
        self._hits.move_to_end(key)
        while hits and hits[0] <= now - self.window_s:
            hits.popleft()
        if len(hits) >= self.count:
            return max(0.0, hits[0] + self.window_s - now)
        hits.append(now)
        return 0.0

    def _evict(self, now: float) -> None:
        """Forget keys whose hits have all expired, then the least recently seen, beyond max_keys."""
        if len(self._hits) < self.max_keys:
            return
        for key in [k for k, h in self._hits.items() if not h or h[-1] <= now - self.window_s]:
            del self._hits[key]
        while len(self._hits) >= self.max_keys:
            self._hits.popitem(last=False)

    def __len__(self) -> int:
        return len(self._hits)


def retry_message(wait_s: float) -> str:
    """The friendly refusal, in whole seconds (never "0 s")."""
    return f"You're asking quickly — try again in {max(1, math.ceil(wait_s))} s."
