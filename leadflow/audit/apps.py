from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who changed what (see the package docstring and docs/AUDIT.md).

    Project plumbing like the outbox: it watches the apps' tables from the outside, with
    triggers the apps never see.
    """

    name = "leadflow.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate, post_save

        from handoff.signals import subject_erasing

        from . import erasure, recording, triggers

        recording.connect()
        post_migrate.connect(triggers.install_after_migrate, sender=self, dispatch_uid="audit:triggers")
        post_save.connect(erasure.scrub_erased, sender="handoff.Erasure", dispatch_uid="audit:erasure")
        subject_erasing.connect(erasure.on_subject_erasing, dispatch_uid="audit:subject-erasing")
