from django.apps import AppConfig


class DashboardConfig(AppConfig):
    """The joint revenue dashboard: part of insights (it reads marketing, sales and handoff).

    It keeps the label "dashboard" it had under handoff: its rollup tables (dashboard_*), its
    migrations' history and its URL namespace stay as they are, so an existing database
    migrates forward with nothing to rename; the facts and cells can always be rebuilt anyway.
    """

    name = "insights.dashboard"
    label = "dashboard"
    verbose_name = "Dashboard"
