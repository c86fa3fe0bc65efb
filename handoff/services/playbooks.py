"""Marketing writes the sales playbook here; handoff hands it to sales as plain values."""

from django.core.exceptions import PermissionDenied

from sales import services as sales
from sales.models import Stage


def save_playbook(*, stage_id: int, by, buyer_guidance: str, exit_criteria: str, assets: list[dict]) -> Stage:
    """Replace one pipeline stage's playbook: buyer guidance, exit criteria, assets to send."""
    if not by.has_perm("handoff.edit_playbook"):
        raise PermissionDenied("Only marketing writes the playbook.")
    return sales.set_stage_playbook(
        stage_id=stage_id,
        buyer_guidance=buyer_guidance,
        exit_criteria=exit_criteria,
        assets=[{"title": asset.get("title", ""), "url": asset.get("url", "")} for asset in assets],
    )
