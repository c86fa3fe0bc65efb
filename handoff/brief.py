"""The handoff brief: what marketing knows about a lead, in the words sales needs."""

from marketing.models import Lead


def build_brief(lead: Lead, *, handoff=None) -> dict:
    """A plain, JSON-safe summary; copied onto the deal so it outlives later lead edits.

    Reads `lead.touchpoints.all()` so that a page listing many leads pays for their
    journeys once, with prefetch_related("lead__touchpoints__campaign").
    """
    touchpoints = sorted(lead.touchpoints.all(), key=lambda touch: (touch.occurred_at, touch.pk))
    campaigns = []
    for touch in touchpoints:
        if touch.campaign and touch.campaign.name not in campaigns:
            campaigns.append(touch.campaign.name)
    return {
        "name": lead.display_name,
        "email": lead.email,
        "company": lead.company,
        "title": lead.title,
        "phone": lead.phone,
        "country": lead.country,
        "industry": lead.industry,
        "company_size": lead.get_company_size_display() if lead.company_size else "",
        "source": lead.get_source_display(),
        "campaign": lead.first_touch_campaign.name if lead.first_touch_campaign else "",
        "campaigns": campaigns,
        "utm": {name: value for name in ("source", "medium", "campaign") if (value := getattr(lead, f"utm_{name}"))},
        "first_seen": lead.created_at.isoformat() if lead.created_at else None,
        "score": lead.score,
        "score_reasons": lead.score_reasons,
        "recycle_count": lead.recycle_count,
        "consent": {
            "given_at": lead.consent_given_at.isoformat() if lead.consent_given_at else None,
            "source": lead.consent_source,
            "text": lead.consent_text,
        },
        "journey": [
            {
                "kind": touch.get_kind_display(),
                "at": touch.occurred_at.isoformat(),
                "campaign": touch.campaign.name if touch.campaign else "",
            }
            for touch in touchpoints[-50:]
        ],
        "touchpoints": len(touchpoints),
        "merged_duplicates": merged_duplicates(lead),
        "routed": handoff.route_reason if handoff is not None else "",
    }


def merged_duplicates(lead: Lead) -> list[dict]:
    """Leads marketing merged into this one: other addresses the same person used.

    Reads `lead.merged_duplicates.all()`: list pages prefetch it ("lead__merged_duplicates").
    """
    merged = sorted(lead.merged_duplicates.all(), key=lambda dup: dup.pk)[:20]
    return [{"email": dup.email, "name": dup.display_name, "captured": dup.created_at.isoformat()} for dup in merged]
