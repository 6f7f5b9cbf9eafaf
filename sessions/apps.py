from django.apps import AppConfig


class SessionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    # django.contrib.sessions already owns the label "sessions".
    label = "mentoring_sessions"
    verbose_name = "Mentoring sessions"

    def ready(self) -> None:
        # Registers the workspace receivers and the home-page sections.
        from sessions import home, signals  # noqa: F401
