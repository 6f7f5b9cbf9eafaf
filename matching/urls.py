"""Matching URLs, all inside a program: ``/programs/<slug>/...``.

Each area's views module owns its ``urlpatterns``; they are joined here.
"""

from matching.views import board, circles, flash, pairings, preferences, requests

app_name = "matching"

urlpatterns = [
    *board.urlpatterns,
    *pairings.urlpatterns,
    *requests.urlpatterns,
    *preferences.urlpatterns,
    *circles.urlpatterns,
    *flash.urlpatterns,
]
