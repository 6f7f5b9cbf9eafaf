"""The home page is assembled from sections that each app registers.

The core app sits at the bottom layer and cannot import the apps above it,
so each of them registers what it wants to show on a person's home page in
its ``AppConfig.ready()``. A section is a callable that takes the request and
returns ``(template_name, context)`` or ``None`` when it has nothing to show.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mentoring.types import AuthenticatedHttpRequest

SectionResult = tuple[str, dict[str, Any]] | None
SectionFunc = Callable[[AuthenticatedHttpRequest], SectionResult]


@dataclass(frozen=True)
class Section:
    order: int
    name: str
    render: SectionFunc


_sections: dict[str, Section] = {}


def register_section(name: str, order: int) -> Callable[[SectionFunc], SectionFunc]:
    """Register a home-page section under ``name``; lower ``order`` comes first."""

    def decorator(func: SectionFunc) -> SectionFunc:
        _sections[name] = Section(order=order, name=name, render=func)
        return func

    return decorator


def sections_for(request: AuthenticatedHttpRequest) -> list[tuple[str, dict[str, Any]]]:
    """Render-ready sections for this request, in order, skipping empty ones."""
    out = []
    for section in sorted(_sections.values(), key=lambda s: s.order):
        result = section.render(request)
        if result is not None:
            out.append(result)
    return out
