"""Program export URLs: ``/programs/<slug>/exports/...`` (program admins, streamed CSV)."""

from sessions.views import exports

app_name = "exports"

urlpatterns = [*exports.urlpatterns]
