from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        # Registers the home-page section and the reminder sweeps.
        from matching import home, sweeps  # noqa: F401
