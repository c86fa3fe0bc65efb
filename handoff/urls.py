from django.urls import path

from .views import offers, playbooks, routing, subject_rights, verdicts

# The SLA reports and scorecards under /handoff/ are insights' pages (insights/urls.py).
app_name = "handoff"
urlpatterns = [
    path("offers/", offers.inbox, name="inbox"),
    path("offers/due/", offers.offers_due, name="offers-due"),
    path("offers/<int:pk>/accept/", offers.accept, name="offer-accept"),
    path("offers/<int:pk>/reject/", offers.reject, name="offer-reject"),
    path("routing/", routing.routing, name="routing"),
    path("routing/teams/<int:pk>/", routing.team_settings, name="team-settings"),
    path("routing/rules/new/", routing.rule_new, name="rule-new"),
    path("routing/rules/<int:pk>/", routing.rule_edit, name="rule-edit"),
    path("routing/rules/<int:pk>/move/", routing.rule_move, name="rule-move"),
    path("routing/rules/<int:pk>/delete/", routing.rule_delete, name="rule-delete"),
    path("routing/recycling/", routing.recycling, name="recycling"),
    path("playbooks/", playbooks.playbooks, name="playbooks"),
    path("playbooks/<int:pk>/", playbooks.playbook_edit, name="playbook-edit"),
    path("leads/<int:pk>/verdicts/", verdicts.lead_verdicts, name="lead-verdicts"),
    path("leads/<int:pk>/personal-data/", subject_rights.export_lead, name="lead-export"),
    path("leads/<int:pk>/erase/", subject_rights.erase_lead, name="lead-erase"),
]
