"""The roles of docs/RELIABILITY.md's permission matrix as Django groups.

Capabilities are permissions on groups (checked with `has_perm`); the *scope* of what a
user sees (own, team, all) is decided by each model's `visible_to` queryset. Admins are
superusers. Handoff owns this table because it is the one app that spans both teams.
"""

from django.contrib.auth.models import Group, Permission

MARKETING = "Marketing"
SALES = "Sales"
SALES_MANAGERS = "Sales managers"

_SALES_BASE = [
    "marketing.view_campaign",
    "marketing.view_lead",  # scoped by Lead.objects.visible_to: own leads, a manager's team
    "sales.view_deal",
    "sales.change_deal",
    "handoff.view_handoff",
    "handoff.decide_offer",
    "handoff.view_scorecard",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    MARKETING: [
        "marketing.view_campaign",
        "marketing.add_campaign",
        "marketing.change_campaign",
        "marketing.view_lead",
        "marketing.add_lead",
        "marketing.change_lead",
        "marketing.view_all_leads",
        "marketing.qualify_lead",
        "marketing.view_touchpoint",
        "marketing.import_leads",
        "marketing.export_leads",
        "marketing.manage_scoring",
        "handoff.edit_playbook",
        "handoff.view_scorecard",
        "handoff.change_commitment",
    ],
    SALES: _SALES_BASE,
    SALES_MANAGERS: [
        *_SALES_BASE,
        "sales.reopen_deal",
        "sales.reassign_deal",
        "marketing.qualify_lead",
        "marketing.export_leads",  # the team's leads only, through the same scope
        "handoff.view_dashboard",
        "sales.configure_pipelines",
        "handoff.manage_routing",
        "handoff.change_commitment",
    ],
}


def sync_roles(**kwargs) -> None:
    """Create the groups and give each exactly its permissions (safe to run on every migrate)."""
    for group_name, codenames in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=group_name)
        group.permissions.set([_permission(name) for name in codenames])


def _permission(dotted: str) -> Permission:
    app_label, codename = dotted.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)
