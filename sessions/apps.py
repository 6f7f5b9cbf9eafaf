from django.apps import AppConfig


class SessionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "sessions"
    # django.contrib.sessions already owns the label "sessions".
    label = "mentoring_sessions"
    verbose_name = "Mentoring sessions"

    def ready(self) -> None:
        # Registers the workspace receivers, the home-page sections, the .ics attachment,
        # the reminder sweeps and the admins' weekly digest.
        from sessions import home, ics, signals, sweeps, sweeps_admin  # noqa: F401
