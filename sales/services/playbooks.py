"""The playbook stored on each stage: what the buyer needs, exit criteria and assets to send.

Marketing writes it through handoff (which calls set_stage_playbook with plain values);
sales reads it on the deal page and marks assets as sent.
"""

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import AssetSend, Deal, Stage, StageAsset

MAX_TEXT = 5000
MAX_ASSETS = 50
_url = URLValidator(schemes=["http", "https"])


def set_stage_playbook(*, stage_id: int, buyer_guidance: str, exit_criteria: str, assets: list[dict]) -> Stage:
    """Replace a stage's playbook; assets are matched by URL so their send history survives edits."""
    buyer_guidance = (buyer_guidance or "").strip()
    exit_criteria = (exit_criteria or "").strip()
    cleaned = _clean_assets(assets)
    errors = {}
    if len(buyer_guidance) > MAX_TEXT:
        errors["buyer_guidance"] = f"Keep it under {MAX_TEXT:,} characters."
    if len(exit_criteria) > MAX_TEXT:
        errors["exit_criteria"] = f"Keep it under {MAX_TEXT:,} characters."
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        stage = Stage.objects.select_for_update().get(pk=stage_id)
        stage.buyer_guidance = buyer_guidance
        stage.exit_criteria = exit_criteria
        stage.save(update_fields=["buyer_guidance", "exit_criteria"])
        existing = {asset.url: asset for asset in stage.assets.all()}
        # An asset dropped from the list goes, with the record of whom it was sent to.
        stage.assets.exclude(url__in=[asset["url"] for asset in cleaned]).delete()
        for order, item in enumerate(cleaned, start=1):
            asset = existing.get(item["url"])
            if asset is None:
                StageAsset.objects.create(stage=stage, title=item["title"], url=item["url"], order=order)
            elif (asset.title, asset.order) != (item["title"], order):
                asset.title, asset.order = item["title"], order
                asset.save(update_fields=["title", "order"])
    return stage


def mark_asset_sent(*, deal_id: int, asset_id: int, by) -> AssetSend:
    """Record that an asset of the deal's current (or an earlier) stage went to the buyer; once."""
    deal = Deal.objects.select_related("stage").get(pk=deal_id)
    asset = StageAsset.objects.select_related("stage").filter(pk=asset_id, stage__pipeline_id=deal.pipeline_id).first()
    if asset is None:
        raise ValidationError({"asset": "That asset is not in this deal's playbook."})
    if asset.stage.order > deal.stage.order:
        raise ValidationError({"asset": f"That asset is for {asset.stage.name}, a later stage."})
    now = timezone.now()
    try:
        with transaction.atomic():
            send, created = AssetSend.objects.get_or_create(
                deal=deal, asset=asset, defaults={"sent_at": now, "sent_by": by}
            )
            if created:
                Deal.objects.filter(pk=deal.pk).update(last_activity_at=now)
    except IntegrityError:
        # Two clicks at once: the other one recorded it.
        send = AssetSend.objects.get(deal=deal, asset=asset)
    return send


def _clean_assets(assets: list[dict]) -> list[dict]:
    if not isinstance(assets, list | tuple):
        raise ValidationError({"assets": "Give the assets as a list."})
    if len(assets) > MAX_ASSETS:
        raise ValidationError({"assets": f"A stage holds at most {MAX_ASSETS} assets."})
    cleaned, problems, seen = [], [], set()
    for number, item in enumerate(assets, start=1):
        title = str((item or {}).get("title") or "").strip() if isinstance(item, dict) else ""
        url = str((item or {}).get("url") or "").strip() if isinstance(item, dict) else ""
        try:
            _url(url)
        except ValidationError:
            problems.append(f"Asset {number}: give a full http:// or https:// link.")
            continue
        if not title:
            problems.append(f"Asset {number}: give it a title.")
        elif len(title) > 200 or len(url) > 500:
            problems.append(f"Asset {number}: keep the title under 200 and the link under 500 characters.")
        elif url in seen:
            problems.append(f"Asset {number}: the same link is already on this stage.")
        else:
            seen.add(url)
            cleaned.append({"title": title, "url": url})
    if problems:
        raise ValidationError({"assets": problems})
    return cleaned
