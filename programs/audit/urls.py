"""Audit URLs, included at the root: ``/audit/`` (staff) and ``/programs/<slug>/audit/``
(that program's admins)."""

from django.urls import path

from programs.audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.event_list, name="all"),
    path("audit/events.csv", views.event_csv, name="all_csv"),
    path("programs/<slug:slug>/audit/", views.program_event_list, name="program"),
    path("programs/<slug:slug>/audit/events.csv", views.program_event_csv, name="program_csv"),
]
