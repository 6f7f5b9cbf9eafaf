from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "Programs and enrolment"

    def ready(self) -> None:
        from programs import home  # noqa: F401  (registers the home-page section)
