"""The audit trail: who did what, when and from where; append-only from the application.

Record with ``audit.services.record()`` (any layer may call it: it imports nothing of the
other apps). Read at ``/audit/`` (staff) and ``/programs/<slug>/audit/`` (program admins).
"""
