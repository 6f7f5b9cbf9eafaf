"""Forms for programs, topics, questions, enrolment, invitations and imports."""

from __future__ import annotations

from typing import Any, ClassVar, cast

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from mentoring.forms import timezone_choices
from mentoring.models import User
from programs.models import Membership, Program, Question, Topic
from programs.services import PROFILE_FIELDS, PROGRAM_FIELDS

Role = Membership.Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ProgramForm(forms.ModelForm):
    timezone = forms.ChoiceField(label="Time zone", choices=timezone_choices)
    meeting_reminder_hours = forms.CharField(
        label="Meeting reminders (hours before)",
        initial="24, 1",
        max_length=60,
        help_text="Comma-separated whole hours, e.g. “24, 1”.",
    )

    class Meta:
        model = Program
        fields: ClassVar = list(PROGRAM_FIELDS)
        widgets: ClassVar = {
            "start_date": DATE,
            "end_date": DATE,
            "midpoint_date": DATE,
            "description": forms.Textarea(attrs={"rows": 4}),
            "privacy_policy": forms.RadioSelect,
        }
        help_texts: ClassVar = {
            "privacy_policy": "Participants are told this when they enrol. Once someone has "
            "enrolled, it can only be narrowed.",
            "description": "Shown to everyone invited to the program.",
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["meeting_reminder_hours"] = ", ".join(
                str(h) for h in self.instance.meeting_reminder_hours
            )

    def clean_meeting_reminder_hours(self) -> list[int]:
        raw = self.cleaned_data["meeting_reminder_hours"]
        parts = [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]
        try:
            hours = sorted({int(p) for p in parts}, reverse=True)
        except ValueError:
            raise ValidationError("Use whole numbers of hours, separated by commas.") from None
        if not hours or len(hours) > 5 or any(not 1 <= h <= 336 for h in hours):
            raise ValidationError("Give one to five reminders, each 1 to 336 hours before.")
        return hours

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if not any(data.get(k) for k in ("allow_one_to_one", "allow_circles", "allow_flash")):
            self.add_error("allow_one_to_one", "Allow at least one kind of relationship.")
        return data

    def _post_clean(self) -> None:
        # Model validation runs in the service; only field-level checks here.
        pass


class TopicForm(forms.Form):
    name = forms.CharField(label="Topic", max_length=80)


class QuestionForm(forms.Form):
    text = forms.CharField(label="Question", max_length=300)
    help_text = forms.CharField(label="Help text", max_length=300, required=False)
    kind = forms.ChoiceField(label="Kind of answer", choices=Question.Kind.choices)
    choices = forms.CharField(
        label="Options",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="For single and multiple choice: one option per line.",
    )
    audience = forms.ChoiceField(label="Asked of", choices=Question.Audience.choices)
    required = forms.BooleanField(label="An answer is required", required=False)
    used_for_matching = forms.BooleanField(label="Used for matching", required=False)
    matching_rule = forms.ChoiceField(
        label="How matching uses it",
        choices=[("", "—"), *Question.MatchingRule.choices],
        required=False,
    )

    MAX_OPTIONS = 50

    def clean_choices(self) -> list[str]:
        lines = [" ".join(line.split()) for line in self.cleaned_data["choices"].splitlines()]
        lines = [line for line in lines if line]
        if len(lines) > self.MAX_OPTIONS:
            raise ValidationError(f"At most {self.MAX_OPTIONS} options.")
        if any(len(line) > 200 for line in lines):
            raise ValidationError("Keep each option under 200 characters.")
        return lines

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        kind = data.get("kind")
        if kind in Question.CHOICE_KINDS and len(data.get("choices") or []) < 2:
            self.add_error("choices", "Give at least two options, one per line.")
        if data.get("used_for_matching"):
            if kind == Question.Kind.TEXT:
                self.add_error(
                    "used_for_matching", "Free-text answers cannot be compared for matching."
                )
            if not data.get("matching_rule"):
                self.add_error("matching_rule", "Choose how matching uses the answers.")
            if data.get("audience") != Question.Audience.EVERYONE:
                self.add_error("audience", "A matching question must be asked of everyone.")
            if (
                data.get("matching_rule") == Question.MatchingRule.OFFERS_NEEDS
                and kind not in Question.CHOICE_KINDS
            ):
                self.add_error(
                    "matching_rule", "Offers/needs works with single or multiple choice."
                )
        else:
            data["matching_rule"] = ""
        return data

    @classmethod
    def initial_for(cls, question: Question) -> dict[str, Any]:
        return {
            "text": question.text,
            "help_text": question.help_text,
            "kind": question.kind,
            "choices": "\n".join(c.label for c in question.choices.all()),
            "audience": question.audience,
            "required": question.required,
            "used_for_matching": question.used_for_matching,
            "matching_rule": question.matching_rule,
        }


def answer_field(question: Question) -> forms.Field:
    """The form field that asks ``question``."""
    common: dict[str, Any] = {
        "label": question.text,
        # Form renderers (Django's and crispy's) output help text unescaped, as
        # trusted HTML; an admin's help text is plain text.
        "help_text": escape(question.help_text),
        "required": question.required,
    }
    choices = [(c.pk, c.label) for c in question.choices.all()]
    if question.kind == Question.Kind.SINGLE:
        return forms.TypedChoiceField(
            choices=[("", "—"), *choices], coerce=int, empty_value=None, **common
        )
    if question.kind == Question.Kind.MULTIPLE:
        return forms.TypedMultipleChoiceField(
            choices=choices, coerce=int, widget=forms.CheckboxSelectMultiple, **common
        )
    if question.kind == Question.Kind.SCALE:
        return forms.TypedChoiceField(
            choices=[(i, str(i)) for i in range(1, 6)],
            coerce=int,
            empty_value=None,
            # The enrolment template lays the five radios out in a row; widget attrs
            # would land on every <input>, next to crispy's own class.
            widget=forms.RadioSelect,
            **common,
        )
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=3000, **common)


class EnrolmentForm(forms.ModelForm):
    """A participant's enrolment: the fixed profile fields plus the program's questions."""

    topics = forms.ModelMultipleChoiceField(
        queryset=Topic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    acknowledge_privacy = forms.BooleanField(
        label="I have read what the program's admins can see.", required=True
    )

    MENTEE_FIELDS: ClassVar = [
        "goals_statement",
        "goals",
        "what_i_bring",
        "expectations",
        "topics",
        "seniority",
        "department",
        "manager_email",
        "availability",
        "preferred_medium",
    ]
    MENTOR_FIELDS: ClassVar = [
        "goals_statement",
        "strengths",
        "what_i_bring",
        "expectations",
        "topics",
        "capacity",
        "seniority",
        "department",
        "manager_email",
        "availability",
        "preferred_medium",
    ]

    class Meta:
        model = Membership
        fields: ClassVar = [
            "goals_statement",
            "what_i_bring",
            "expectations",
            "goals",
            "strengths",
            "topics",
            "seniority",
            "department",
            "capacity",
            "availability",
            "preferred_medium",
            "manager_email",
        ]
        widgets: ClassVar = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "goals_statement",
                "what_i_bring",
                "expectations",
                "goals",
                "strengths",
                "availability",
            )
        }

    def __init__(self, *args: Any, questions: list[Question], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        membership: Membership = self.instance
        program = membership.program
        is_mentor = membership.role == Role.MENTOR
        keep = self.MENTOR_FIELDS if is_mentor else self.MENTEE_FIELDS
        for name in list(self.fields):
            if name not in keep and name != "acknowledge_privacy":
                del self.fields[name]
        cast(forms.ModelMultipleChoiceField, self.fields["topics"]).queryset = program.topics.all()
        if is_mentor:
            self.fields["topics"].label = "Topics I can help with"
            self.fields["capacity"].help_text = (
                f"How many mentees you can take on at once (program default: "
                f"{program.default_mentor_capacity})."
            )
        else:
            self.fields["topics"].label = "Topics I want help with"
            self.fields["goals"].help_text = (
                "What you want to achieve in this program. You will turn these into "
                "SMART goals with your mentor."
            )
        if not program.topics.exists():
            del self.fields["topics"]
        self.fields["goals_statement"].required = True
        self.fields["goals_statement"].help_text = "In a sentence or two: why are you joining?"
        self.fields[
            "manager_email"
        ].help_text = "So that you are never matched with your own manager."
        if membership.privacy_acknowledged_at:
            self.fields["acknowledge_privacy"].required = False
            self.fields["acknowledge_privacy"].initial = True
        self.questions = questions
        answers = {a.question_id: a.value for a in membership.answers.all()}
        for question in questions:
            name = f"q_{question.pk}"
            self.fields[name] = answer_field(question)
            if question.pk in answers:
                self.initial[name] = answers[question.pk]

    def _post_clean(self) -> None:
        # The enrolment service validates the model; only the form's own checks here.
        pass

    def clean_manager_email(self) -> str:
        return (self.cleaned_data.get("manager_email") or "").strip().lower()

    def answers(self) -> dict[int, Any]:
        return {q.pk: self.cleaned_data.get(f"q_{q.pk}") for q in self.questions}

    def profile(self) -> dict[str, Any]:
        """The profile fields this role was asked, ready for ``enrolment_submit``."""
        return {name: self.cleaned_data[name] for name in PROFILE_FIELDS if name in self.fields}


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.MENTEE)
    message = forms.CharField(
        label="Personal message",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional; added to the invitation e-mail.",
    )


class AddAdminForm(forms.Form):
    email = forms.EmailField(
        label="E-mail address",
        help_text="They get an invitation by e-mail and become an admin when they accept it.",
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: email, name, role, department, cohort, manager_email, topics, "
        "capacity. "
        "Separate several topics with “;”.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    only_valid = forms.BooleanField(
        label="If some rows have errors, import the valid rows anyway",
        required=False,
    )
    send_invitations = forms.BooleanField(
        label="E-mail an invitation to each new participant",
        required=False,
        initial=True,
    )


def _attrs_html(attrs: dict[str, Any]) -> str:
    """Attributes as ``django/forms/widgets/attrs.html`` writes them (True: bare name)."""
    return "".join(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class _DrawnTextInput(forms.TextInput):
    """A text input drawn in Python: Django's template's HTML without a template render."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        shown = self.format_value(value)
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            self.input_type,
            name,
            "" if shown is None else format_html(' value="{}"', shown),
            mark_safe(_attrs_html(self.build_attrs(self.attrs, attrs))),  # noqa: S308
        )


class _DrawnSelect(forms.Select):
    """A single-choice select drawn in Python: the HTML of Django's templates (one
    render per option otherwise), for the directory's long lists of filters."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        wanted = self.format_value(value)
        parts: list[str] = [format_html('<select name="{}"', name)]
        parts.append(_attrs_html(self.build_attrs(self.attrs, attrs)) + ">")
        selected = False
        for option_value, label in self.choices:
            option = "" if option_value is None else str(option_value)
            chosen = not selected and option in wanted
            selected = selected or chosen
            parts.append(
                format_html(
                    '\n  <option value="{}"{}>{}</option>\n',
                    option,
                    mark_safe(" selected" if chosen else ""),  # noqa: S308
                    label,
                )
            )
        parts.append("\n</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label="Search", required=False, max_length=100, widget=_DrawnTextInput)
    role = forms.ChoiceField(
        label="Role",
        required=False,
        choices=[("", "Mentors and mentees"), (Role.MENTOR, "Mentors"), (Role.MENTEE, "Mentees")],
        widget=_DrawnSelect,
    )
    topic = forms.TypedChoiceField(
        label="Topic", required=False, coerce=int, empty_value=None, widget=_DrawnSelect
    )
    department = forms.ChoiceField(label="Department", required=False, widget=_DrawnSelect)
    cohort = forms.ChoiceField(label="Cohort", required=False, widget=_DrawnSelect)
    enrolled = forms.ChoiceField(
        label="Enrolment",
        required=False,
        choices=[("", "Everyone"), ("yes", "Enrolled"), ("no", "Not yet enrolled")],
        widget=_DrawnSelect,
    )

    def __init__(
        self,
        *args: Any,
        program: Program,
        departments: list[str],
        cohorts: list[str] | None = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        cohort = cast(forms.ChoiceField, self.fields["cohort"])
        cohort.choices = [("", "Any cohort")] + [(c, c) for c in cohorts or []]
        if not cohorts:
            del self.fields["cohort"]
        cast(forms.ChoiceField, self.fields["topic"]).choices = [("", "Any topic")] + [
            (t.pk, t.name) for t in program.topics.all()
        ]
        department = cast(forms.ChoiceField, self.fields["department"])
        department.choices = [("", "Any department")] + [(d, d) for d in departments]
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class JoinForm(forms.Form):
    """Set up an account from an invitation link: the link proves the e-mail address."""

    name = forms.CharField(label="Full name", max_length=150)
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="Password (again)",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", "The two passwords differ.")
        elif p1:
            try:
                password_validation.validate_password(
                    p1, User(email=self.email, name=data.get("name", ""))
                )
            except ValidationError as exc:
                self.add_error("password1", exc)
        return data
