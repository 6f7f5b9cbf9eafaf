"""Every write to programs, memberships, questions, enrolment and invitations.

Split by area; import from here: ``from programs import services``.
"""

from programs.services.enrolment import PROFILE_FIELDS, enrolment_submit
from programs.services.invitations import (
    INVITATION_SALT,
    invitation_accept,
    invitation_create,
    invitation_expiry,
    invitation_from_token,
    invitation_join,
    invitation_problem,
    invitation_resend,
    invitation_revoke,
    invitation_send,
    invitation_token,
    invitation_url,
    invitations_queue_emails,
    invitations_send_pending,
)
from programs.services.programs import (
    PROGRAM_FIELDS,
    membership_remove,
    program_add_admin,
    program_create,
    program_update,
    topic_create,
    topic_delete,
    topic_update,
)
from programs.services.questions import (
    QUESTION_FIELDS,
    question_create,
    question_delete,
    question_move,
    question_update,
)

__all__ = [
    "INVITATION_SALT",
    "PROFILE_FIELDS",
    "PROGRAM_FIELDS",
    "QUESTION_FIELDS",
    "enrolment_submit",
    "invitation_accept",
    "invitation_create",
    "invitation_expiry",
    "invitation_from_token",
    "invitation_join",
    "invitation_problem",
    "invitation_resend",
    "invitation_revoke",
    "invitation_send",
    "invitation_token",
    "invitation_url",
    "invitations_queue_emails",
    "invitations_send_pending",
    "membership_remove",
    "program_add_admin",
    "program_create",
    "program_update",
    "question_create",
    "question_delete",
    "question_move",
    "question_update",
    "topic_create",
    "topic_delete",
    "topic_update",
]
