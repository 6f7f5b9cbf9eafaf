"""Forms of the circle pages."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from matching.models import Circle, CircleMember
from programs.models import Membership, Program, Topic

Role = Membership.Role


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        dept = f" ({obj.department})" if obj.department else ""
        return f"{obj.user.display_name}{dept}"


class MembershipMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        dept = f" ({obj.department})" if obj.department else ""
        return f"{obj.user.display_name}{dept}"


def enrolled(program: Program, role: str) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(
            program=program, role=role, enrolled_at__isnull=False, user__is_active=True
        )
        .select_related("user")
        .order_by("user__name", "user__email")
    )


class CircleForm(forms.ModelForm):
    """Create (with its first mentees) or edit a circle; a mentor edits fewer fields."""

    mentor = MembershipChoiceField(queryset=Membership.objects.none(), label="Mentor")
    mentees = MembershipMultipleChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="First mentees",
        help_text="Optional: mentees can also ask to join if the circle is open to requests.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Circle
        fields: ClassVar = [
            "name",
            "description",
            "mentor",
            "topic",
            "max_mentees",
            "open_to_requests",
        ]
        widgets: ClassVar = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts: ClassVar = {
            "max_mentees": "Between 2 and 30.",
            "description": "What the circle is about and how often it meets.",
        }

    def __init__(
        self,
        *args: Any,
        program: Program,
        as_admin: bool = True,
        with_mentees: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        topic = cast(forms.ModelChoiceField, self.fields["topic"])
        topic.queryset = Topic.objects.filter(program=program)
        topic.empty_label = "No particular topic"
        if as_admin:
            cast(MembershipChoiceField, self.fields["mentor"]).queryset = enrolled(
                program, Role.MENTOR
            )
        else:
            del self.fields["mentor"]
            del self.fields["max_mentees"]
        if with_mentees:
            cast(MembershipMultipleChoiceField, self.fields["mentees"]).queryset = enrolled(
                program, Role.MENTEE
            )
        else:
            del self.fields["mentees"]


class CircleJoinForm(forms.Form):
    note = forms.CharField(
        label="A note for the circle's mentor",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional: why you would like to join.",
    )


class CircleDecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("accept", "Accept"), ("decline", "Decline")])


class CircleAddMemberForm(forms.Form):
    mentee = MembershipChoiceField(queryset=Membership.objects.none(), label="Mentee")

    def __init__(self, *args: Any, circle: Circle, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        inside = CircleMember.objects.filter(
            circle=circle, status=CircleMember.Status.MEMBER
        ).values("mentee_id")
        cast(MembershipChoiceField, self.fields["mentee"]).queryset = (
            enrolled(circle.program, Role.MENTEE)
            .exclude(pk__in=inside)
            .exclude(user_id=circle.mentor.user_id)
        )


class CircleEndForm(forms.Form):
    outcome = forms.ChoiceField(
        label="How does the circle end?",
        choices=[
            ("completed", "Completed: it ran its course"),
            ("ended_early", "Ended early"),
        ],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="Why it ends early",
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the circle ends early; its members are told.",
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == "ended_early" and not data.get("reason", "").strip():
            raise ValidationError({"reason": "Say why the circle ends early."})
        return data
