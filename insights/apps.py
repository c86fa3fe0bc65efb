from django.apps import AppConfig


class InsightsConfig(AppConfig):
    name = "insights"
    verbose_name = "Insights"

    def ready(self) -> None:
        from marketing import slots as marketing_slots

        from . import receivers  # noqa: F401  (connects the listeners)

        # The campaign page shows how sales judged its leads: insights' scorecard fragment.
        marketing_slots.fill("campaign-lead-quality", "insights:campaign-scorecard")
