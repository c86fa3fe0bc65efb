"""The first pass: who the leads are and which way each one goes, held in compact arrays.

Everything that has to be exact (the number of deals, of touchpoints) or global (a
campaign's spend follows the leads it brought) is decided here, before any row is built,
so that the second pass can stream leads chunk by chunk in id order.
"""

import math
import random
from array import array
from bisect import bisect_right
from dataclasses import dataclass, field
from itertools import accumulate

from .shapes import Shapes

DAY = 86_400

# Lead paths (what happens to a lead over the period).
NURTURE, SUBSCRIBER, DISQUALIFIED, REJECTED, DEAL, DEAL_AFTER_REJECTION, PENDING = range(7)

# Share of campaigns by channel, and how long one runs (days). Leads come through the
# channels in proportion to their shapes; campaigns are what marketing pays for.
CAMPAIGN_MIX = {
    "paid_search": (18, 30, 120),
    "paid_social": (14, 14, 60),
    "email": (16, 3, 21),
    "webinar": (10, 14, 30),
    "event": (7, 5, 30),
    "content": (10, 60, 240),
    "organic_search": (4, 90, 365),
    "social": (6, 14, 90),
    "referral": (4, 90, 365),
    "partner": (7, 60, 180),
    "other": (4, 14, 60),
}
# Median cost per lead of each channel in B2B, dollars; the ad data's per-ad spread is kept.
CHANNEL_CPL = {
    "paid_search": 120,
    "paid_social": 100,
    "email": 20,
    "webinar": 80,
    "event": 280,
    "content": 50,
    "organic_search": 25,
    "social": 30,
    "referral": 45,
    "partner": 95,
    "other": 50,
}
# Always-on programmes cost a monthly retainer (writers, agencies) whatever leads they tie
# to themselves: without it organic search looked thousands of times better than paid.
MONTHLY_FLOOR = {"organic_search": 2500, "content": 2000, "social": 1200, "referral": 800, "partner": 1500}
# Chance a lead arriving through a channel is tied to one of its running campaigns.
CAMPAIGN_TIE = {
    "paid_search": 0.95,
    "paid_social": 0.95,
    "email": 1.0,
    "webinar": 1.0,
    "event": 1.0,
    "content": 0.6,
    "organic_search": 0.3,
    "social": 0.7,
    "referral": 0.4,
    "partner": 0.8,
    "other": 0.2,
    "direct": 0.0,
}
THEMES = [
    "Forecasting for finance teams", "Pipeline hygiene", "RevOps playbook", "Lead scoring 101",
    "Quarter-end close", "SLA for sales teams", "Attribution without tears", "CRM migration",
    "Sales and marketing alignment", "Account-based selling", "Churn early warnings", "Board-ready reports",
    "Healthcare buyers", "Fintech growth", "Manufacturing digital", "Retail peak season", "SaaS pricing",
    "Partner summit", "Customer stories", "Product launch", "Buyer intent", "Webinar series",
    "Remote selling", "Data-driven marketing", "Enterprise security", "Onboarding in a week",
]  # fmt: skip
CHANNEL_LABEL = {
    "paid_search": "Paid search",
    "paid_social": "Paid social",
    "email": "Email",
    "webinar": "Webinar",
    "event": "Event",
    "content": "Content",
    "organic_search": "SEO",
    "social": "Social",
    "referral": "Referral program",
    "partner": "Partner",
    "other": "Outreach",
}


@dataclass
class CampaignPlan:
    name: str
    slug: str
    channel: str
    start_day: int  # days from the period's start (may be negative: it started before)
    end_day: int
    quality: float
    cost_per_lead: float
    leads: int = 0  # first-touch leads it brought, counted while planning


@dataclass
class Plan:
    start: int  # epoch seconds of day 0
    end: int  # epoch seconds: nothing happens at or after it
    days: int
    campaigns: list[CampaignPlan]
    active: list[list[int]]  # day → campaigns running that day
    active_by_channel: list[dict[str, list[int]]]
    created: array  # lead → epoch seconds, ascending
    channel: list[str]
    campaign: array  # lead → campaign index or -1
    path: array
    touches: array  # lead → number of touchpoints (≥ 1)
    paths: dict[int, int] = field(default_factory=dict)


def make_plan(
    rng: random.Random,
    shapes: Shapes,
    *,
    start: int,
    days: int,
    leads: int,
    deals: int,
    touchpoints: int,
    campaigns: int,
) -> Plan:
    end = start + days * DAY
    plans = _campaigns(rng, shapes, days, campaigns)
    active: list[list[int]] = [[] for _ in range(days)]
    by_channel: list[dict[str, list[int]]] = [{} for _ in range(days)]
    for index, campaign in enumerate(plans):
        for day in range(max(campaign.start_day, 0), min(campaign.end_day + 1, days)):
            active[day].append(index)
            by_channel[day].setdefault(campaign.channel, []).append(index)

    created = _arrivals(rng, start, days, leads)
    channels, chosen_campaign, weights = [], array("l"), []
    source_names = list(shapes.sources)
    source_cum = list(accumulate(shapes.sources[name][0] for name in source_names))
    propensity = {name: value for name, (_share, value) in shapes.sources.items()}
    latest_deal = end - 8 * 3600
    for created_at in created:
        day = (created_at - start) // DAY
        running = active[day]
        if running and rng.random() < 0.25:
            channel = plans[rng.choice(running)].channel  # captured on a campaign's own form
        else:
            channel = source_names[bisect_right(source_cum, rng.random() * source_cum[-1])]
        candidates = by_channel[day].get(channel)
        index = -1
        if candidates and rng.random() < CAMPAIGN_TIE.get(channel, 0.5):
            index = rng.choice(candidates)
            plans[index].leads += 1
        channels.append(channel)
        chosen_campaign.append(index)
        weight = propensity.get(channel, shapes.overall_conversion) * rng.uniform(0.5, 1.5)
        if index >= 0:
            weight *= plans[index].quality
        weights.append(weight if created_at < latest_deal else 0.0)

    path = _paths(rng, created, weights, deals=deals, end=end)
    touches = _touch_counts(rng, shapes, path, touchpoints)
    plan = Plan(
        start=start,
        end=end,
        days=days,
        campaigns=plans,
        active=active,
        active_by_channel=by_channel,
        created=created,
        channel=channels,
        campaign=chosen_campaign,
        path=path,
        touches=touches,
    )
    for value in path:
        plan.paths[value] = plan.paths.get(value, 0) + 1
    return plan


def _campaigns(rng: random.Random, shapes: Shapes, days: int, count: int) -> list[CampaignPlan]:
    names = list(CAMPAIGN_MIX)
    cum = list(accumulate(CAMPAIGN_MIX[name][0] for name in names))
    median_cpl = sorted(shapes.cost_per_lead)[len(shapes.cost_per_lead) // 2]
    plans = []
    for index in range(count):
        # The first campaigns cover every channel, so small data sets have them all.
        channel = names[index] if index < len(names) else names[bisect_right(cum, rng.random() * cum[-1])]
        _share, shortest, longest = CAMPAIGN_MIX[channel]
        length = rng.randint(shortest, longest)
        start_day = rng.randint(-min(45, longest // 2), max(days - 10, 1))
        theme = rng.choice(THEMES)
        quarter = f"Q{(start_day % 365) // 92 + 1}"
        name = f"{CHANNEL_LABEL[channel]}: {theme} ({quarter} #{index + 1})"
        plans.append(
            CampaignPlan(
                name=name,
                slug=f"gen-{index + 1}-{channel.replace('_', '-')}",
                channel=channel,
                start_day=start_day,
                end_day=start_day + length,
                quality=rng.lognormvariate(0, 0.45),
                cost_per_lead=rng.choice(shapes.cost_per_lead) / median_cpl * CHANNEL_CPL[channel],
            )
        )
    return plans


def _arrivals(rng: random.Random, start: int, days: int, count: int) -> array:
    """Capture times: growing over the period, quieter at weekends, in working hours."""
    day_weights = []
    for day in range(days):
        weekday = ((start // DAY) + day + 3) % 7  # 1970-01-01 was a Thursday
        day_weights.append((1 + day / max(days, 1)) * (0.35 if weekday >= 5 else 1.0))
    hours = [1, 1, 1, 1, 1, 2, 3, 5, 8, 10, 10, 9, 8, 9, 10, 9, 8, 6, 5, 4, 3, 2, 2, 1]
    picked_days = rng.choices(range(days), weights=day_weights, k=count)
    picked_hours = rng.choices(range(24), weights=hours, k=count)
    times = sorted(
        start + day * DAY + hour * 3600 + rng.randrange(3600)
        for day, hour in zip(picked_days, picked_hours, strict=True)
    )
    return array("q", times)


def _paths(rng: random.Random, created: array, weights: list[float], *, deals: int, end: int) -> array:
    """Pick exactly `deals` leads for deals, weighted by propensity, and the others' fates."""
    count = len(created)
    feasible = sum(1 for weight in weights if weight > 0)
    if deals > feasible:
        raise ValueError(f"{deals} deals need at least as many leads captured before the last 8 hours ({feasible}).")
    # Weighted sampling without replacement (Efraimidis–Spirakis): the largest u^(1/w) win.
    keys = [rng.random() ** (1 / weight) if weight > 0 else -1.0 for weight in weights]
    order = sorted(range(count), key=keys.__getitem__, reverse=True)
    path = array("b", [NURTURE]) * count
    for index in order[:deals]:
        path[index] = DEAL_AFTER_REJECTION if rng.random() < 0.06 else DEAL
    # Rejected handoffs: leads sales turned down, milder preference for good leads.
    rest = [index for index in order[deals:] if weights[index] > 0]
    rejected = min(len(rest), round(deals * 0.3))
    rest_keys = {index: rng.random() ** (1 / math.sqrt(weights[index])) for index in rest}
    rest.sort(key=rest_keys.__getitem__, reverse=True)
    for index in rest[:rejected]:
        path[index] = REJECTED
    recent = end - 3 * DAY
    for index in range(count):
        if path[index] != NURTURE:
            continue
        roll = rng.random()
        if recent <= created[index] < end - 4 * 3600 and roll < 0.15:
            path[index] = PENDING
        elif roll < 0.04:
            path[index] = DISQUALIFIED
        elif roll < 0.12:
            path[index] = SUBSCRIBER
    return path


def _touch_counts(rng: random.Random, shapes: Shapes, path: array, total: int) -> array:
    """One capture touch per lead, the rest shared out like campaign contacts, exactly `total`."""
    count = len(path)
    if total < count:
        raise ValueError(f"Every lead has its capture touchpoint: --touchpoints must be at least --leads ({count}).")
    base = {NURTURE: 1.0, SUBSCRIBER: 0.6, DISQUALIFIED: 0.5, REJECTED: 1.6, DEAL: 2.4, DEAL_AFTER_REJECTION: 3.0}
    base[PENDING] = 1.8
    contacts, frequency = zip(*sorted(shapes.contacts.items()), strict=True)
    draws = rng.choices(contacts, weights=frequency, k=count)
    weights = [base[kind] * draw for kind, draw in zip(path, draws, strict=True)]
    scale = (total - count) / (sum(weights) or 1)
    touches = array("l", (1 + int(weight * scale) for weight in weights))
    # Flooring lost less than one touch per lead: hand the remainder to random leads.
    for index in rng.sample(range(count), k=total - sum(touches)):
        touches[index] += 1
    return touches
