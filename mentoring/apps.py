from django.apps import AppConfig


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"
    verbose_name = "Constellation core"

    def ready(self) -> None:
        from mentoring import home_sections  # noqa: F401  (registers the notifications section)
