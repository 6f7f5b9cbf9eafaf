from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate, pre_migrate


def _uninstall_stamps(using: str = "default", **kwargs: Any) -> None:
    from mentoring import stamps

    stamps.uninstall(using)


def _install_stamps(using: str = "default", plan: Any = None, **kwargs: Any) -> None:
    # After a migrate (plan is a list, maybe empty), not after a flush: a flush empties
    # the tables and leaves their triggers.
    if plan is not None:
        from mentoring import stamps

        stamps.install(using)


class MentoringConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mentoring"
    verbose_name = "Constellation core"

    def ready(self) -> None:
        from mentoring import (
            home_sections,  # noqa: F401  (registers the notifications section)
            security,  # noqa: F401  (a sign-in starts the session's idle clock)
            stamps,  # noqa: F401  (registers the chore that folds stamps)
        )

        # The stamp triggers are taken off while migrations run, and put back after.
        pre_migrate.connect(_uninstall_stamps, sender=self, dispatch_uid="mentoring.stamps")
        post_migrate.connect(_install_stamps, sender=self, dispatch_uid="mentoring.stamps")
