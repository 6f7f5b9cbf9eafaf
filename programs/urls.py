from django.urls import path

from programs.views import enrolment, invitations, participants, program, questions

app_name = "programs"

urlpatterns = [
    path("", program.program_list, name="list"),
    path("new/", program.program_create, name="create"),
    path("<slug:slug>/", program.program_detail, name="detail"),
    path("<slug:slug>/settings/", program.program_edit, name="edit"),
    path("<slug:slug>/admins/", program.admin_list, name="admins"),
    path("<slug:slug>/admins/<int:pk>/remove/", program.admin_remove, name="admin_remove"),
    path("<slug:slug>/topics/", program.topic_list, name="topics"),
    path("<slug:slug>/topics/<int:pk>/", program.topic_edit, name="topic_edit"),
    path("<slug:slug>/topics/<int:pk>/delete/", program.topic_delete, name="topic_delete"),
    path("<slug:slug>/questions/", questions.question_list, name="questions"),
    path("<slug:slug>/questions/new/", questions.question_create, name="question_create"),
    path("<slug:slug>/questions/<int:pk>/", questions.question_edit, name="question_edit"),
    path(
        "<slug:slug>/questions/<int:pk>/delete/",
        questions.question_delete,
        name="question_delete",
    ),
    path("<slug:slug>/questions/<int:pk>/move/", questions.question_move, name="question_move"),
    path(
        "<slug:slug>/enrol/<str:role>/",
        enrolment.enrolment_edit,
        name="enrol",
    ),
    path(
        "<slug:slug>/participants/",
        participants.participant_directory,
        name="participants",
    ),
    path(
        "<slug:slug>/participants/export.csv",
        participants.participant_export,
        name="participants_export",
    ),
    path(
        "<slug:slug>/participants/<int:pk>/",
        participants.participant_detail,
        name="participant",
    ),
    path(
        "<slug:slug>/participants/<int:pk>/remove/",
        participants.participant_remove,
        name="participant_remove",
    ),
    path("<slug:slug>/import/", participants.import_upload, name="import"),
    path("<slug:slug>/import/<int:pk>/", participants.import_detail, name="import_detail"),
    path(
        "<slug:slug>/import/<int:pk>/valid-rows/",
        participants.import_valid_rows,
        name="import_valid_rows",
    ),
    path("<slug:slug>/invitations/", invitations.invitation_list, name="invitations"),
    path(
        "<slug:slug>/invitations/<int:pk>/resend/",
        invitations.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        invitations.invitation_revoke,
        name="invitation_revoke",
    ),
]
