"""Landlock: filesystem and network confinement for the submission's process (Linux ≥ 5.13)."""

from __future__ import annotations


def available() -> int:
    """The Landlock ABI version the kernel offers (0: none)."""
    return 0


def restrict(workdir: str) -> bool:
    """Confine this process; return whether it could."""
    return False
