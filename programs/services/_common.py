"""Helpers shared by the services modules."""

from collections.abc import Iterable
from typing import Any


def check_fields(fields: dict[str, Any], allowed: Iterable[str]) -> None:
    """Refuse keyword arguments a service does not know (a typo would otherwise be ignored)."""
    unknown = set(fields) - set(allowed)
    if unknown:
        raise TypeError(f"Unknown fields: {', '.join(sorted(unknown))}")
