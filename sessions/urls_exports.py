"""Program export URLs: ``/programs/<slug>/exports/...`` (program admins, streamed CSV)."""

from django.urls import URLPattern

app_name = "exports"

urlpatterns: list[URLPattern] = []
