"""The public side of invitations: the link an invited person opens."""

from django.urls import path

from programs.views import invitations

app_name = "invitations"

urlpatterns = [
    path("<str:token>/", invitations.invitation_landing, name="landing"),
    path("<str:token>/accept/", invitations.invitation_accept, name="accept"),
]
