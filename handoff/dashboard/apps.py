from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The joint revenue dashboard: part of handoff (it reads both sides), with its own
    label so that its rollup tables migrate separately from the handoff engine's."""

    name = "handoff.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
