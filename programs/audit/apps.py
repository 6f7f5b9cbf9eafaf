from django.apps import AppConfig


class AuditConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "programs.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self) -> None:
        from programs.audit import signals

        signals.connect()
