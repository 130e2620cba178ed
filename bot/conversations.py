"""Conversation memory per Discord thread or channel: a bounded map of bounded turn lists."""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Hashable

from corridor.records import Turn


class Conversations:
    """The last `turns` turns of at most `max_conversations` conversations (least recently used forgotten)."""

    def __init__(self, turns: int = 4, max_conversations: int = 1000) -> None:
        self.turns = max(1, turns)
        self.max_conversations = max_conversations
        self._turns: OrderedDict[Hashable, deque[Turn]] = OrderedDict()

    def history(self, key: Hashable) -> list[Turn]:
        """The turns so far, oldest first (empty for a new conversation)."""
        turns = self._turns.get(key)
        if turns is None:
            return []
        self._turns.move_to_end(key)
        return list(turns)

    def add(self, key: Hashable, turn: Turn) -> None:
        turns = self._turns.get(key)
        if turns is None:
            turns = self._turns[key] = deque(maxlen=self.turns)
        self._turns.move_to_end(key)
        turns.append(turn)
        while len(self._turns) > self.max_conversations:
            self._turns.popitem(last=False)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._turns

    def __len__(self) -> int:
        return len(self._turns)
