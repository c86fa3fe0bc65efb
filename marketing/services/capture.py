"""Capturing a person: one lead per normalized email, every capture a touchpoint.

Anyone may type anyone's address into a public form or the capture API, so a capture of an
address that is already a lead only says "this person came back": it adds the touchpoint
and moves the last touch, and changes the person's consent and profile only when the
capture is `verified` (README, "Who may change a person"). The hosted form's signed token
is not that: it proves the page was rendered by LeadFlow a few seconds earlier, not who
typed the address.
"""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from .. import sources
from ..emails import normalize_email, review_reason_for
from ..models import Campaign, Lead, LeadEmailAlias, LeadStageChange, ScoringSettings, SourceFrom, Stage, Touchpoint

# Fields a capture may fill on a lead; a repeat capture fills only the blanks.
PROFILE_FIELDS = ("first_name", "last_name", "company", "title", "phone", "country", "industry", "company_size")
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")


@dataclass
class Capture:
    """What one form post, API call or import row says about a person."""

    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    title: str = ""
    phone: str = ""
    country: str = ""
    industry: str = ""
    company_size: str = ""
    source: str = ""
    campaign: Campaign | None = None
    utm: dict[str, str] = field(default_factory=dict)
    referrer: str = ""
    landing_page: str = ""
    consent_text: str = ""
    consent_source: str = ""
    touch_kind: str = Touchpoint.Kind.FORM_SUBMIT
    attributes: dict = field(default_factory=dict)
    # Kept on the touchpoint only (answers to a form's questions, the consent version…).
    details: dict = field(default_factory=dict)
    # True only when the caller is accountable for what it says about an existing person:
    # an import or API key of someone who may edit every lead. Anonymous captures never are.
    verified: bool = False


@dataclass(frozen=True)
class CaptureResult:
    lead: Lead
    created: bool


def capture_lead(*, capture: Capture, now: datetime | None = None) -> CaptureResult:
    """Create the lead or merge into the existing one (same normalized email), with a touchpoint."""
    now = now or timezone.now()
    email_normalized = resolve_alias(normalize_email(capture.email))
    channel = channel_of(capture)
    with transaction.atomic():
        # The unique column makes this safe under concurrent submits of one address:
        # the losing insert waits for the winner and then reads its row (docs/RELIABILITY.md, traps met #2).
        new = landing(capture, email_normalized=email_normalized, channel=channel, now=now)
        lead, created = Lead.objects.get_or_create(email_normalized=email_normalized, defaults=new.fields)
        if created:
            LeadStageChange.objects.create(lead=lead, stage=lead.stage, entered_at=now, reason="Captured")
            touchpoint = new.touchpoint
        else:
            # The locked, updated row is returned: the copy read before the lock would hand back stale fields.
            lead = Lead.objects.select_for_update().get(pk=lead.pk)
            merge = landing(capture, email_normalized=email_normalized, channel=channel, now=now, lead=lead)
            merge.apply_to(lead)
            touchpoint = merge.touchpoint
        touchpoint.lead = lead
        touchpoint.save()
        from ..tasks import score_lead as score_lead_task

        score_lead_task.delay_on_commit(lead.pk)
    return CaptureResult(lead=lead, created=created)


@dataclass(frozen=True)
class Landing:
    """What one capture gives a lead, as `landing` decides it; the caller writes it."""

    # A new lead's every field but its identity (email_normalized), or the fields that change on an existing one.
    fields: dict[str, Any]
    # Unsaved; its lead is set by the caller once the lead has a key.
    touchpoint: Touchpoint

    def apply_to(self, lead: Lead) -> None:
        """Save the changes on an existing lead (the caller holds its row lock)."""
        for name, value in self.fields.items():
            setattr(lead, name, value)
        lead.save(update_fields=[*self.fields, "updated_at"])


def landing(
    capture: Capture, *, email_normalized: str, channel: str, now: datetime, lead: Lead | None = None
) -> Landing:
    """The one rule for what a capture gives a lead: hosted and embedded forms, the capture API
    and every row of a CSV import (services/imports.py, which loads a batch's leads at once
    and calls this per row) go through it. Reads nothing from the database.

    A new lead (lead=None) gets the capture's profile, attributes and first touch, the last
    touch, its stage, the look-alike review reason of its address and the consent it gives.
    An existing lead gets the last touch (time, campaign, channel, UTM); only a verified
    capture also fills what the lead lacks (never overwriting what someone already gave or
    edited) and records consent it did not have (README, "Who may change a person").
    `channel` is channel_of(capture), asked once by the caller.
    """
    utm = {key: capture.utm.get(key, "") for key in UTM_FIELDS}
    last_touch = {
        "last_touch_at": now,
        "last_touch_campaign": capture.campaign,
        "last_touch_channel": channel,
        "last_utm_source": utm["utm_source"],
        "last_utm_medium": utm["utm_medium"],
        "last_utm_campaign": utm["utm_campaign"],
    }
    if lead is None:
        fields = {
            "email": capture.email.strip(),
            **{name: getattr(capture, name) for name in PROFILE_FIELDS},
            "source": channel,
            "first_touch_campaign": capture.campaign,
            **utm,
            "first_referrer": capture.referrer,
            "first_landing_page": capture.landing_page,
            **last_touch,
            "attributes": capture.attributes,
            "stage": Stage.LEAD,
            "stage_changed_at": now,
            "review_reason": review_reason_for(email_normalized),
            **_consent(capture, now),
        }
    else:
        fields = {**(_blanks_filled(lead, capture, now) if capture.verified else {}), **last_touch}
    touchpoint = Touchpoint(
        kind=capture.touch_kind,
        campaign=capture.campaign,
        channel=channel,
        occurred_at=now,
        referrer=capture.referrer,
        landing_page=capture.landing_page,
        details=capture.details,
        **utm,
    )
    return Landing(fields=fields, touchpoint=touchpoint)


def vouches_for_captures(user: AbstractUser | AnonymousUser) -> bool:
    """Whether a capture sent with this user's API key is verified: they may already see and
    edit every lead by hand, so filling a blank or recording consent gives them nothing new."""
    return user.is_authenticated and user.has_perms(["marketing.view_all_leads", "marketing.change_lead"])


def channel_of(capture: Capture) -> str:
    """The touch's channel: given, else the campaign's or the UTM medium's, as marketing/sources.py decides."""
    campaign_channel = capture.campaign.channel if capture.campaign else None
    utm_channel = sources.channel_for_utm(
        medium=capture.utm.get("utm_medium", ""), source=capture.utm.get("utm_source", "")
    )
    source_from = SourceFrom.CAMPAIGN
    if not capture.source and campaign_channel and utm_channel and utm_channel != campaign_channel:
        # Only a disagreement needs the marketer's choice: read the setting then, not on every capture.
        source_from = ScoringSettings.objects.filter(pk=1).values_list("source_from", flat=True).first() or source_from
    return sources.source_of(
        given=capture.source, campaign_channel=campaign_channel, utm_channel=utm_channel, source_from=source_from
    )


def resolve_alias(email_normalized: str) -> str:
    """The address of the lead this one was merged into, if it was; else itself."""
    return resolve_aliases([email_normalized]).get(email_normalized, email_normalized)


def resolve_aliases(addresses: list[str]) -> dict[str, str]:
    """For those of `addresses` that were merged away: the address of the lead each now is (one query)."""
    return dict(
        LeadEmailAlias.objects.filter(email_normalized__in=addresses).values_list(
            "email_normalized", "lead__email_normalized"
        )
    )


def _consent(capture: Capture, now: datetime) -> dict:
    if not capture.consent_text:
        return {}
    return {
        "consent_given_at": now,
        "consent_text": capture.consent_text,
        "consent_source": capture.consent_source or "web form",
    }


def _blanks_filled(lead: Lead, capture: Capture, now: datetime) -> dict[str, Any]:
    """What a verified capture adds to an existing lead: the profile fields and attributes it
    lacks, and consent if it had none."""
    fields = {
        name: getattr(capture, name) for name in PROFILE_FIELDS if not getattr(lead, name) and getattr(capture, name)
    }
    new_attributes = {k: v for k, v in capture.attributes.items() if k not in lead.attributes}
    if new_attributes:
        fields["attributes"] = {**lead.attributes, **new_attributes}
    if capture.consent_text and not lead.consent_given_at:
        fields.update(_consent(capture, now))
    return fields
