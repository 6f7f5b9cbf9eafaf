"""Constellation URLs: ``/constellation/...`` (every signed-in person)."""

from django.urls import URLPattern

app_name = "constellation"

urlpatterns: list[URLPattern] = []
