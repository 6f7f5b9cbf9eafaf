"""Workspace URLs, all inside a program: ``/programs/<slug>/workspaces/<pk>/...``.

Each area's views module owns its ``urlpatterns``; they are joined here.
"""

from sessions.views import actions, agreements, goals, meetings, notes, reviews, roadmap, workspace

app_name = "workspace"

urlpatterns = [
    *workspace.urlpatterns,
    *agreements.urlpatterns,
    *goals.urlpatterns,
    *roadmap.urlpatterns,
    *meetings.urlpatterns,
    *actions.urlpatterns,
    *notes.urlpatterns,
    *reviews.urlpatterns,
]
