"""The lots themselves: uniform choices derived from a seed by SHA-256.

Each lot has a label (`order 3`, `lot 2a`); its number among k candidates is the first
SHA-256("revmech-lots|SEED|LABEL|ATTEMPT"), read as a 256-bit integer, that falls below the
largest multiple of k, taken modulo k (rejection keeps it exactly uniform). Anyone can
recompute a lot with any SHA-256 tool; no Python version or library changes the result.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")

_SPACE = 1 << 256


class Lots:
    def __init__(self, seed: str):
        self.seed = seed

    def number(self, k: int, label: str) -> int:
        """A uniform number in [0, k) for the lot `label`."""
        if k <= 0:
            raise ValueError("a lot needs at least one candidate")
        limit = _SPACE - _SPACE % k
        attempt = 0
        while True:
            digest = hashlib.sha256(
                f"revmech-lots|{self.seed}|{label}|{attempt}".encode()).digest()
            x = int.from_bytes(digest, "big")
            if x < limit:
                return x % k
            attempt += 1  # pragma: no cover - probability below k / 2**256

    def pick(self, candidates: Sequence[T], label: str) -> tuple[int, T]:
        i = self.number(len(candidates), label)
        return i, candidates[i]

    def shuffle(self, items: Sequence[T], label: str) -> list[T]:
        """A uniform permutation (Fisher-Yates, one lot per position)."""
        out = list(items)
        for i in range(len(out) - 1, 0, -1):
            j = self.number(i + 1, f"{label} {len(out) - i}")
            out[i], out[j] = out[j], out[i]
        return out
