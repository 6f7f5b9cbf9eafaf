"""Constellation URLs: ``/constellation/...`` (every signed-in person)."""

from matching.views import constellation

app_name = "constellation"

urlpatterns = [*constellation.urlpatterns]
