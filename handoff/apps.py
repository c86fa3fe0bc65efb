from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HandoffConfig(AppConfig):
    name = "handoff"
    verbose_name = "Handoff"

    def ready(self) -> None:
        from marketing import scope

        from . import receivers  # noqa: F401  (connects the listeners)
        from .lead_scope import team_leads
        from .roles import sync_roles
        from .slots import fill_slots

        scope.register(team_leads)
        fill_slots()

        # After handoff's own permissions exist, which is after marketing's and sales'.
        post_migrate.connect(sync_roles, sender=self)
