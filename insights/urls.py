from django.urls import path

from .views import scorecards, sla

# Mounted under /handoff/ by leadflow/urls.py: the pages keep the addresses users bookmarked.
app_name = "insights"
urlpatterns = [
    path("sla/", sla.sla, name="sla"),
    path("sla/agreement/", sla.agreement, name="agreement"),
    path("scorecards/", scorecards.scorecards, name="scorecards"),
    path("scorecards/campaigns/<int:pk>/", scorecards.campaign_scorecard, name="campaign-scorecard"),
]
