from django.apps import AppConfig


class MatchingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "matching"
    verbose_name = "Matching"

    def ready(self) -> None:
        from matching import home  # noqa: F401  (registers the home-page section)
