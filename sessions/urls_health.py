"""Program health URLs: ``/programs/<slug>/health/...`` (program admins)."""

from django.urls import URLPattern

app_name = "health"

urlpatterns: list[URLPattern] = []
