from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Who changed what (see the package docstring for what is and is not recorded).

    Project plumbing like the outbox: it listens to the apps' models from the outside.
    """

    name = "leadflow.audit"
    label = "audit"
    verbose_name = "Audit log"

    def ready(self) -> None:
        from django.db.models.signals import post_save

        from handoff.signals import subject_erasing

        from . import erasure, recording

        recording.connect()
        post_save.connect(erasure.scrub_erased, sender="handoff.Erasure", dispatch_uid="audit:erasure")
        subject_erasing.connect(erasure.on_subject_erasing, dispatch_uid="audit:subject-erasing")
