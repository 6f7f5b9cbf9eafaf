"""The filters of the health dashboard, its pair list and the exports.

A pair belongs to a cohort (or a department) when its mentee or its mentor does; a
participant (the match rate, the participants export) when they do themselves. The
kind (one-to-one or flash) and the relationship type (classic, peer, reverse) are the
pairing's own.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.core.cache import cache
from django.db.models import Q

from matching.models import Pairing
from programs.models import Program
from programs.selectors import departments_and_cohorts

CHOICES_SECONDS = 60


@dataclass(frozen=True)
class Filters:
    """Which pairs (and participants) the figures are about; empty means all."""

    cohort: str = ""
    department: str = ""
    kind: str = ""  # Pairing.Kind
    relationship: str = ""  # Pairing.RelationshipType

    def pairings(self, prefix: str = "") -> Q:
        """Rows of pairings (reached through ``prefix``) that these filters keep."""
        q = Q()
        for field in ("cohort", "department"):
            value = getattr(self, field)
            if value:
                q &= Q(**{f"{prefix}mentee__{field}": value}) | Q(
                    **{f"{prefix}mentor__{field}": value}
                )
        return q & self.kinds(prefix)

    def kinds(self, prefix: str = "") -> Q:
        """Rows of pairings (through ``prefix``) of the chosen kind and relationship type."""
        q = Q()
        if self.kind:
            q &= Q(**{f"{prefix}kind": self.kind})
        if self.relationship:
            q &= Q(**{f"{prefix}relationship_type": self.relationship})
        return q

    def people(self, prefix: str = "") -> Q:
        """Rows of memberships (through ``prefix``) in the chosen cohort and department."""
        q = Q()
        for field in ("cohort", "department"):
            value = getattr(self, field)
            if value:
                q &= Q(**{f"{prefix}{field}": value})
        return q

    @property
    def about_kind(self) -> bool:
        """Whether the filters choose a kind of pairing (then circles are left out)."""
        return bool(self.kind or self.relationship)

    def params(self) -> dict[str, str]:
        """The filters that are set, as query parameters."""
        return {k: v for k, v in asdict(self).items() if v}

    def query(self) -> str:
        return urlencode(self.params())

    def key(self) -> str:
        """A short cache-safe digest of the filters."""
        return hashlib.sha256(self.query().encode()).hexdigest()[:20]


def filter_choices(program: Program) -> tuple[list[str], list[str]]:
    """The cohorts and departments of the program's participants (cached briefly)."""
    key = f"health:{program.pk}:choices"
    found = cache.get(key)
    if found is not None:
        return cast(tuple[list[str], list[str]], found)
    departments, cohorts = departments_and_cohorts(program)
    found = (cohorts, departments)
    cache.set(key, found, CHOICES_SECONDS)
    return found


class FilterForm(forms.Form):
    """The dashboard's filters, read from the query string."""

    cohort = forms.ChoiceField(label="Cohort", required=False)
    department = forms.ChoiceField(label="Department", required=False)
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "Any kind"), *Pairing.Kind.choices],
    )
    relationship = forms.ChoiceField(
        label="Relationship",
        required=False,
        choices=[
            ("", "Any relationship"),
            (Pairing.RelationshipType.CLASSIC, "Classic"),
            (Pairing.RelationshipType.PEER, "Peer"),
            (Pairing.RelationshipType.REVERSE, "Reverse"),
        ],
    )

    def __init__(self, *args: Any, cohorts: list[str], departments: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        cohort = cast(forms.ChoiceField, self.fields["cohort"])
        cohort.choices = [("", "Any cohort"), *((c, c) for c in cohorts)]
        department = cast(forms.ChoiceField, self.fields["department"])
        department.choices = [("", "Any department"), *((d, d) for d in departments)]
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-select")

    def filters(self) -> Filters:
        """Every filter that was understood (the others are ignored: see ``ignored``)."""
        if not self.is_bound:
            return Filters()
        self.is_valid()
        data = self.cleaned_data
        return Filters(**{name: data.get(name) or "" for name in self.fields})

    def ignored(self) -> list[str]:
        """The labels of the filters whose values were not understood."""
        return [str(self.fields[name].label).lower() for name in self.errors if name in self.fields]


def read_filters(program: Program, data: Any) -> FilterForm:
    """The filter form of ``program``, bound to the query string ``data`` if it has any."""
    cohorts, departments = filter_choices(program)
    bound = any(data.get(name) for name in FilterForm.base_fields)
    return FilterForm(data if bound else None, cohorts=cohorts, departments=departments)
