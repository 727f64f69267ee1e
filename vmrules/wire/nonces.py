"""Memory of the nonces of accepted signed requests, so that a replayed request is refused.

A nonce needs remembering only while a request carrying it could still pass the clock-skew check, that is until
its ``x-jdcloud-date`` plus the allowed skew. The memory is bounded: when it holds ``capacity`` nonces that are all
still current, new signed requests are refused (429) rather than old nonces forgotten, which would reopen replay.
The shell owns an instance (one per emulator or mock) and passes it in; there is no module-level state.
"""

from __future__ import annotations

import heapq
import threading
from enum import Enum

DEFAULT_CAPACITY = 100_000


class Seen(Enum):
    NEW = "new"
    REPLAYED = "replayed"
    FULL = "full"


class NonceMemory:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self._expiry: dict[tuple[str, str], float] = {}
        self._queue: list[tuple[float, tuple[str, str]]] = []  # (expires at, key), earliest first
        self._lock = threading.Lock()  # the emulator verifies signatures on many threads at once

    def __len__(self) -> int:
        return len(self._expiry)

    def remember(self, access_key: str, nonce: str, *, expires_at: float, now: float) -> Seen:
        """Record the nonce of an accepted request; say whether it was new, a replay, or there is no room."""
        key = (access_key, nonce)
        with self._lock:
            queue = self._queue
            while queue and queue[0][0] < now:
                _, old = heapq.heappop(queue)
                if self._expiry.get(old, now) < now:
                    del self._expiry[old]
            if key in self._expiry:
                return Seen.REPLAYED
            if len(self._expiry) >= self.capacity:
                return Seen.FULL
            self._expiry[key] = expires_at
            heapq.heappush(queue, (expires_at, key))
            return Seen.NEW
