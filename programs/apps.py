from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs"
    verbose_name = "Programs and enrolment"

    def ready(self) -> None:
        from mentoring import stamps
        from programs import home  # noqa: F401  (registers the home-page section)
        from programs.models import Membership, Program

        # Everything inside a program is stamped with it; its members' pages depend on it.
        stamps.register_root(
            "p",
            Program,
            through=Membership,
            user_field="user",
            root_field="program",
            url_field="slug",
        )
