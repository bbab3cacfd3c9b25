"""Short failure reports for large values (pages, GeoJSON files, JSONL outputs).

When ``CI`` is set, pytest prints the full diff of a failing ``==``; on a page of
hundreds of kilobytes its difflib work takes hours, so one failed comparison stalled a
whole CI run. Above ``BIG_CHARS`` this reports where the values first differ instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

BIG_CHARS = 20_000  # combined size of both sides; smaller values keep pytest's own diff
CONTEXT_CHARS = 60  # shown on each side of the first difference


def size(value: Any, depth: int = 0) -> int:
    """Characters (or bytes) in ``value``, looking a few levels into containers."""
    if isinstance(value, str | bytes):
        return len(value)
    if depth > 3:
        return 0
    if isinstance(value, Mapping):
        return sum(size(v, depth + 1) for v in value.values())
    if isinstance(value, list | tuple):
        return sum(size(v, depth + 1) for v in value)
    return 0


def first_difference(left: Any, right: Any, where: str = "") -> list[str]:
    """Lines saying where ``left`` and ``right`` first differ, and how."""
    if isinstance(left, Mapping) and isinstance(right, Mapping):
        if set(left) != set(right):
            return [f"{where or 'keys'}: only left {sorted(set(left) - set(right), key=str)}, "
                    f"only right {sorted(set(right) - set(left), key=str)}"]  # fmt: skip
        key = next(k for k in left if left[k] != right[k])
        return first_difference(left[key], right[key], f"{where}[{key!r}]")
    if _sequence(left) and _sequence(right):
        if len(left) != len(right):
            return [f"{where}: {len(left)} items != {len(right)} items"]
        index = next(i for i, (a, b) in enumerate(zip(left, right, strict=True)) if a != b)
        return first_difference(left[index], right[index], f"{where}[{index}]")
    if isinstance(left, str | bytes) and type(left) is type(right):
        at = next((i for i, (a, b) in enumerate(zip(left, right, strict=False)) if a != b), None)
        at = min(len(left), len(right)) if at is None else at
        start, end = max(0, at - CONTEXT_CHARS), at + CONTEXT_CHARS
        return [f"{where}: lengths {len(left)} and {len(right)}, first difference at {at}:",
                f"  left:  {left[start:end]!r}", f"  right: {right[start:end]!r}"]  # fmt: skip
    return [f"{where}: {type(left).__name__} {str(left)[:200]!r} != "
            f"{type(right).__name__} {str(right)[:200]!r}"]  # fmt: skip


def _sequence(value: Any) -> bool:
    return isinstance(value, Sequence) and not isinstance(value, str | bytes)


def pytest_assertrepr_compare(op: str, left: Any, right: Any) -> list[str] | None:
    if op != "==" or size(left) + size(right) < BIG_CHARS:
        return None
    return [f"large values differ ({size(left)} and {size(right)} characters)",
            *first_difference(left, right)]  # fmt: skip
