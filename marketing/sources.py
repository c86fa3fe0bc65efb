"""A lead's source (its channel): from the capture, its campaign's channel or its UTM medium.

The one table that reads UTM media as channels lives here; capture and the lead page use it.
Pure functions, no database.
"""

import re
from dataclasses import dataclass

from .models import Channel, SourceFrom

# utm_medium, as people write it (case, "-" and spaces ignored) → the channel it names.
UTM_MEDIUM_CHANNELS: dict[str, str] = {
    **dict.fromkeys(["email", "e_mail", "newsletter", "edm"], Channel.EMAIL),
    **dict.fromkeys(["cpc", "ppc", "paid_search", "paidsearch", "sem", "search_ads"], Channel.PAID_SEARCH),
    **dict.fromkeys(
        ["paid_social", "paidsocial", "social_paid", "social_ads", "paid_social_media"], Channel.PAID_SOCIAL
    ),
    **dict.fromkeys(["organic", "seo", "organic_search"], Channel.ORGANIC_SEARCH),
    **dict.fromkeys(["social", "social_media", "socialmedia", "organic_social", "sm"], Channel.SOCIAL),
    **dict.fromkeys(["event", "events", "trade_show", "tradeshow", "conference"], Channel.EVENT),
    **dict.fromkeys(["webinar", "webinars"], Channel.WEBINAR),
    **dict.fromkeys(["content", "blog", "ebook", "whitepaper"], Channel.CONTENT),
    **dict.fromkeys(["referral", "referrer"], Channel.REFERRAL),
    **dict.fromkeys(["partner", "partners", "affiliate", "affiliates"], Channel.PARTNER),
    **dict.fromkeys(["direct", "(none)", "none"], Channel.DIRECT),
}
# "cpc" bought on a social network is paid social, not paid search (as web analytics count it).
PAID_MEDIA = {"cpc", "ppc", "paid"}
SOCIAL_NETWORKS = {"linkedin", "facebook", "fb", "instagram", "ig", "twitter", "x", "tiktok", "reddit", "youtube"}


def media_by_channel() -> list[tuple[str, list[str]]]:
    """The table above for people: each channel's label with the media that name it."""
    return [
        (channel.label, [medium for medium, named in UTM_MEDIUM_CHANNELS.items() if named == channel])
        for channel in Channel
        if channel in UTM_MEDIUM_CHANNELS.values()
    ]


def _key(value: str) -> str:
    return re.sub(r"[\s-]+", "_", value.strip().casefold())


def channel_for_utm(*, medium: str, source: str = "") -> str | None:
    """The channel a UTM medium names (with its source for paid clicks), or None if it names none."""
    medium = _key(medium)
    if medium in PAID_MEDIA and _key(source) in SOCIAL_NETWORKS:
        return Channel.PAID_SOCIAL
    return UTM_MEDIUM_CHANNELS.get(medium)


def source_of(*, given: str, campaign_channel: str | None, utm_channel: str | None, source_from: str) -> str:
    """The lead's source: what the capture says, else the campaign's channel or the UTM's, as the marketer chose.

    Whichever is preferred, the other still names the source when the preferred one is missing.
    """
    if given:
        return given
    first, second = (
        (utm_channel, campaign_channel) if source_from == SourceFrom.UTM else (campaign_channel, utm_channel)
    )
    return first or second or Channel.DIRECT


@dataclass(frozen=True)
class SourceNote:
    """What the lead page says beside a lead's source: where it came from, and what the UTM said."""

    origin: str  # "campaign", "utm" or "given"
    campaign_channel: str  # the label, "" without a campaign
    utm_channel: str  # the label of the channel the UTM medium names, "" if none


def note_for(lead) -> SourceNote:
    campaign = lead.first_touch_campaign
    utm = channel_for_utm(medium=lead.utm_medium, source=lead.utm_source)
    if campaign is not None and lead.source == campaign.channel:
        origin = "campaign"
    elif utm is not None and lead.source == utm:
        origin = "utm"
    else:
        origin = "given"
    return SourceNote(
        origin=origin,
        campaign_channel=campaign.get_channel_display() if campaign is not None else "",
        utm_channel=Channel(utm).label if utm else "",
    )
