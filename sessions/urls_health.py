"""Program health URLs: ``/programs/<slug>/health/...`` (program admins)."""

from sessions.views import health

app_name = "health"

urlpatterns = [*health.urlpatterns]
