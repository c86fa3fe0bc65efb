"""A person's data on deals (GDPR art. 15 and 17): sales' copy of the contact and what was
written about them. Handoff says which deals are the person's: sales has no key to leads."""

from django.db import models, transaction
from django.db.models import F

from ..models import Activity, AssetSend, Deal, DealStageChange, Note

ERASED_TEXT = "(erased)"


def export_deal_data(*, deal_ids: list[int]) -> list[dict]:
    """Every stored column of the deals and of their history, activities and notes (art. 15)."""
    deals = (
        Deal.objects.filter(pk__in=deal_ids)
        .select_related("pipeline", "stage")
        .prefetch_related(
            models.Prefetch("stage_changes", DealStageChange.objects.select_related("from_stage", "to_stage")),
            "activities",
            "notes",
            models.Prefetch("asset_sends", AssetSend.objects.select_related("asset")),
        )
        .order_by("pk")
    )
    return [
        {
            "deal": {**_columns(deal), "pipeline": deal.pipeline.name, "stage": deal.stage.name},
            "stage_changes": [
                {
                    **_columns(change),
                    "from_stage": change.from_stage.name if change.from_stage else "",
                    "to_stage": change.to_stage.name,
                }
                for change in deal.stage_changes.all()
            ],
            "activities": [_columns(activity) for activity in deal.activities.all()],
            "notes": [_columns(note) for note in deal.notes.all()],
            "assets_sent": [
                {**_columns(send), "asset": send.asset.title, "url": send.asset.url} for send in deal.asset_sends.all()
            ],
        }
        for deal in deals
    ]


def erase_deal_contacts(*, deal_ids: list[int]) -> int:
    """Blank the deals' copy of the contact, the handoff brief and every free text about the
    person (art. 17); how many deals. Amounts, currencies, stages, dates, ratings and the
    kinds and times of activities stay, so the pipeline, forecast and revenue do not move.
    """
    with transaction.atomic():
        deals = list(Deal.objects.select_for_update().filter(pk__in=deal_ids).order_by("pk"))
        for deal in deals:
            deal.title = f"Deal #{deal.pk} (contact erased)"
            deal.contact_name = deal.contact_email = deal.contact_phone = deal.company = ""
            deal.lost_note = ""
            deal.brief = {}
            # A new version: an edit form opened before the erasure is refused (409), so it
            # cannot write the old contact back.
            deal.version = F("version") + 1
            deal.save(
                update_fields=[
                    "title",
                    "contact_name",
                    "contact_email",
                    "contact_phone",
                    "company",
                    "lost_note",
                    "brief",
                    "version",
                    "updated_at",
                ]
            )
        Activity.objects.filter(deal_id__in=deal_ids).update(subject=ERASED_TEXT, details="")
        Note.objects.filter(deal_id__in=deal_ids).update(body=ERASED_TEXT)
    return len(deals)


def _columns(row: models.Model) -> dict:
    """Every stored column of a row, by name (foreign keys as ids)."""
    return {field.attname: getattr(row, field.attname) for field in row._meta.concrete_fields}
