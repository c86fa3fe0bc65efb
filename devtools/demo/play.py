"""Play the demo through the real services, on a clock set to when each step happened.

Every lead, offer, deal and rating is written by the services the pages call, so a
newcomer clicks through real states. The services read the time from
django.utils.timezone.now; the demo sets that clock to replay five months in seconds
(a development command only: nothing else runs in this process meanwhile).
"""

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from decimal import Decimal
from unittest import mock

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import CommandError
from django.utils import timezone

from handoff import services
from handoff.models import Handoff
from handoff.services.offers import hours_and_sla
from insights import scorecards
from insights.dashboard.rollups import refresh as dashboard
from marketing import services as marketing
from marketing.models import Campaign, Channel, Lead, Touchpoint
from marketing.models import Stage as LeadStage
from marketing.services import Capture
from marketing.services.campaigns import add_spend, create_campaign
from sales import services as sales
from sales.models import Deal, SalesRep, StageAsset, Team
from sales.models import Stage as DealStage

from . import data
from .data import (
    BREACHED,
    DEMO_REQUEST,
    JUNK,
    LAST_OPEN_STAGE,
    LOST,
    NURTURE,
    OPEN,
    OPEN_STAGES,
    REJECTED,
    WON,
    DemoLead,
    Profile,
)


@contextmanager
def clock(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def days_ago(days: float, *, hour: int = 15) -> datetime:
    """A weekday afternoon (UTC) about `days` ago: inside both teams' working hours."""
    moment = timezone.now() - timedelta(days=days)
    while moment.weekday() >= 5:
        moment -= timedelta(days=1)
    return moment.replace(hour=hour, minute=0, second=0, microsecond=0)


class Demo:
    def __init__(self) -> None:
        self.rng = random.Random(20261128)
        self.users: dict[str, AbstractUser] = {}
        self.campaigns: dict[str, Campaign] = {}
        self.stages: dict[str, DealStage] = {}
        self.assets: dict[str, list[StageAsset]] = {}

    # --- set-up --------------------------------------------------------------------------

    def cast(self) -> None:
        """Users, the two teams with their reps, hours, SLA, caps and routing rules."""
        user_model = get_user_model()
        # One hash for the shared demo password: hashing it per user cost most of a second each.
        hashed = make_password(data.PASSWORD)
        with clock(days_ago(data.HISTORY_DAYS + 10)):
            for demo in data.USERS:
                create = user_model.objects.create_superuser if demo.is_admin else user_model.objects.create_user
                user = create(username=demo.username, email=f"{demo.username}@leadflow.example", password=None,
                              first_name=demo.first_name, last_name=demo.last_name)  # fmt: skip
                user.password = hashed
                user.save(update_fields=["password"])
                if demo.group:
                    user.groups.add(_group(demo.group))
                self.users[demo.username] = user
            # No service owns teams and reps yet (an admin makes them), so they are created here.
            teams = {name: Team.objects.create(name=name, manager=self.users[m]) for name, m in data.MANAGERS.items()}
            for demo in data.USERS:
                if demo.group == data.roles.SALES:
                    SalesRep.objects.create(user=self.users[demo.username], team=teams[demo.team],
                                            routing_weight=demo.weight)  # fmt: skip
            for name, (zone, days, starts, ends, sla, cap) in data.TEAMS.items():
                services.save_team_settings(
                    team_id=teams[name].pk, by=self.users[data.MANAGERS[name]], time_zone=zone, working_days=days,
                    day_starts=time.fromisoformat(starts), day_ends=time.fromisoformat(ends), sla_minutes=sla,
                    sla_target_percent=85, max_open_offers=cap,
                )  # fmt: skip
            for name, team, conditions in data.RULES:
                services.save_routing_rule(by=self.users[data.MANAGERS[team]], team_id=teams[team].pk, name=name,
                                           is_active=True, **conditions)  # fmt: skip

    def campaigns_and_playbook(self) -> None:
        maria = self.users[data.MARKER]
        today = timezone.localdate()
        with clock(days_ago(data.HISTORY_DAYS + 5)):
            for key, demo in data.CAMPAIGNS.items():
                campaign = create_campaign(
                    by=maria, name=demo.name, channel=demo.channel, status=demo.status, budget=Decimal(demo.budget),
                    starts_on=today + timedelta(days=demo.starts), utm_campaign=demo.slug,
                    ends_on=None if demo.ends is None else today + timedelta(days=demo.ends),
                )  # fmt: skip
                self.campaigns[key] = campaign
                for month, amount in enumerate(demo.spend):
                    spent_on = min(campaign.starts_on + timedelta(days=30 * month + 1), today)
                    add_spend(campaign_id=campaign.pk, spent_on=spent_on, amount=Decimal(amount),
                                        note="Monthly invoice", by=maria)  # fmt: skip
            self.stages = {stage.slug: stage for stage in sales.default_pipeline().stages.all()}
            for slug, assets in data.ASSETS.items():
                stage = self.stages[slug]
                services.save_playbook(stage_id=stage.pk, by=maria, buyer_guidance=stage.buyer_guidance,
                                       exit_criteria=data.EXIT_CRITERIA[slug],
                                       assets=[{"title": title, "url": url} for title, url in assets])  # fmt: skip
                self.assets[slug] = list(stage.assets.order_by("order"))
            # From the first whole month of the history (the month it starts in is only partly there).
            first_month = (today - timedelta(days=data.HISTORY_DAYS - 31)).replace(day=1)
            services.save_commitment(by=maria, month=first_month, mqls_per_month=24)

    # --- one lead ------------------------------------------------------------------------

    def capture(self, demo: DemoLead, key: str, when: datetime, *, size: str = "", industry: str = "") -> Lead:
        first_name, _, last_name = demo.name.partition(" ")
        profile = {"email": demo.email, "first_name": first_name, "last_name": last_name, "company": demo.company,
                   "title": demo.title, "phone": demo.phone, "country": demo.country, "company_size": size,
                   "industry": industry}  # fmt: skip
        if key == DEMO_REQUEST:
            capture = Capture(**profile, source=Channel.DIRECT, touch_kind=Touchpoint.Kind.MEETING_REQUEST)
        else:
            spec, campaign = data.CAMPAIGNS[key], self.campaigns[key]
            capture = Capture(
                **profile, campaign=campaign, touch_kind=spec.touch,
                utm={"utm_source": spec.utm_source, "utm_medium": spec.utm_medium,
                     "utm_campaign": campaign.utm_campaign},
                consent_text=data.CONSENT if spec.consent else "",
                consent_source=f"{campaign.name} form" if spec.consent else "",
            )  # fmt: skip
        with clock(when):
            return marketing.capture_lead(capture=capture, now=when).lead

    def qualify_and_route(self, lead: Lead, when: datetime) -> Handoff | None:
        """Score (and qualify by hand if the score falls short), then route, as the tasks would."""
        with clock(when):
            lead = marketing.score_lead(lead_id=lead.pk, now=when)
            if lead.stage != LeadStage.MQL:
                lead = marketing.qualify_lead(lead_id=lead.pk, by=self.users[data.MARKER])
            return services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)

    def answer(self, handoff: Handoff, minutes: float) -> tuple[Handoff, datetime]:
        """The assignee answers `minutes` of working time after the offer (a breach first if late)."""
        hours, sla, _cap = hours_and_sla(handoff.team_id)
        if minutes > sla:
            late = handoff.due_at + timedelta(minutes=5)
            with clock(late):
                services.sweep_offers(now=late)
            handoff = Handoff.objects.get(pk=handoff.pk)
            minutes = minutes - sla
        return handoff, hours.add(handoff.offered_at, minutes)

    def work_deal(self, deal: Deal, *, target: str, start: datetime, close_at: datetime | None,
                  won: bool, amount: int, rating: int | None, lost_reason: str = "") -> None:  # fmt: skip
        """Move the deal a stage at a time between `start` and `close_at`, send assets, close it."""
        rep = deal.owner
        path = OPEN_STAGES[1 : OPEN_STAGES.index(target) + 1]
        end = close_at or timezone.now() - timedelta(hours=1)
        step = (end - start) / (len(path) + 1)
        self.send_assets(deal, "discovery", start + step / 3, won=won)
        for number, slug in enumerate(path, start=1):
            with clock(start + step * number):
                deal = sales.move_deal(deal_id=deal.pk, to_stage_id=self.stages[slug].pk, by=rep,
                                       expected_version=deal.version)  # fmt: skip
                services.sync_lead_stage(deal_id=deal.pk)
            self.send_assets(deal, slug, start + step * number + step / 3, won=won)
        if close_at is None:
            with clock(end):
                weeks = len(OPEN_STAGES) - OPEN_STAGES.index(target)
                sales.update_deal(deal_id=deal.pk, by=rep, expected_version=deal.version, amount=Decimal(amount),
                                  expected_close=timezone.localdate() + timedelta(weeks=2 * weeks))  # fmt: skip
            return
        with clock(close_at):
            deal = sales.close_deal(deal_id=deal.pk, won=won, by=rep, expected_version=deal.version,
                                    amount=Decimal(amount), lost_reason="" if won else lost_reason,
                                    closed_at=close_at, rating=rating)  # fmt: skip
            services.record_deal_outcome(deal_id=deal.pk)

    def send_assets(self, deal: Deal, slug: str, when: datetime, *, won: bool) -> None:
        for asset in self.assets.get(slug, []):
            if_won, otherwise = data.ASSET_PULL.get(asset.title, (0.55, 0.55))
            if self.rng.random() < (if_won if won else otherwise):
                with clock(when):
                    sales.mark_asset_sent(deal_id=deal.pk, asset_id=asset.pk, by=deal.owner)

    # --- the story -------------------------------------------------------------------------

    def story(self, demo: DemoLead) -> None:
        """One named lead of data.LEADS, ending where its journey says."""
        qualified_on = days_ago(data.QUALIFIED_DAYS_AGO[demo.journey] + 0.0, hour=14)
        if demo.journey in (OPEN, NURTURE, JUNK):
            qualified_on = timezone.now() - timedelta(minutes=5 + 7 * len(demo.name) % 90)
        domain = demo.email.rpartition("@")[2]
        size, industry = data.COMPANIES.get(domain, ("", ""))
        for number, key in enumerate(demo.touches):
            lead = self.capture(demo, key, qualified_on - timedelta(days=3 * (len(demo.touches) - number)),
                                size=size, industry=industry)  # fmt: skip
        if demo.journey == JUNK:
            with clock(qualified_on):
                marketing.disqualify_lead(lead_id=lead.pk, reason=demo.reason, by=self.users[data.MARKER])
            return
        with clock(qualified_on):
            lead = marketing.score_lead(lead_id=lead.pk, now=qualified_on)
            if lead.stage != LeadStage.MQL:
                return  # below the bar: stays with marketing
            handoff = services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)
        if handoff is None or handoff.state != Handoff.State.OFFERED or demo.journey in (OPEN, BREACHED):
            return
        handoff, answered = self.answer(handoff, 25 + len(demo.name))
        with clock(answered):
            if demo.journey == REJECTED:
                services.reject_offer(handoff_id=handoff.pk, by=handoff.assignee, reason=demo.reason,
                                      note=demo.note, rating=demo.rating)  # fmt: skip
                return
            handoff = services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee, rating=demo.rating)
        closes = {WON: 40, LOST: 24}.get(demo.journey)
        self.work_deal(
            handoff.deal, target=LAST_OPEN_STAGE[demo.journey], start=answered,
            close_at=None if closes is None else qualified_on + timedelta(days=closes, hours=2),
            won=demo.journey == WON, amount=demo.amount, rating=demo.rating, lost_reason=demo.reason,
        )  # fmt: skip

    # --- five months of history --------------------------------------------------------------

    def history(self) -> None:
        """Leads from every campaign, handed over, judged and closed (or not yet) over months."""
        plans = []
        for key, profile in data.HISTORY.items():
            for _ in range(profile.leads):
                plans.append((self.mql_day(key), key, profile))
        for number, (day, key, profile) in enumerate(sorted(plans, key=lambda plan: plan[0])):
            self.history_lead(number, day, key, profile)

    def mql_day(self, key: str) -> datetime:
        if key == DEMO_REQUEST:
            start, end = -data.HISTORY_DAYS, -3
        else:
            spec = data.CAMPAIGNS[key]
            start, end = max(spec.starts, -data.HISTORY_DAYS), min(spec.ends if spec.ends is not None else 0, -3)
        return days_ago(-self.rng.uniform(start, max(start, end)), hour=self.rng.choice([13, 14, 15, 16]))

    def history_lead(self, number: int, qualified_on: datetime, key: str, profile: Profile) -> None:
        rng = self.rng
        first, last = rng.choice(data.FIRST_NAMES), rng.choice(data.LAST_NAMES)
        company = f"{rng.choice(data.COMPANY_WORDS)} {rng.choice(data.COMPANY_SUFFIXES)}"
        domain = f"{company.lower().replace(' ', '-')}-{number}.example"
        email = f"{first.lower()}.{last.lower()}@{domain}"
        country = rng.choice(data.HISTORY_COUNTRIES)
        demo = DemoLead(f"{first} {last}", email, company, rng.choice(data.HISTORY_TITLES), (key,), country=country)
        size, industry = rng.choice(data.HISTORY_SIZES), rng.choice(data.HISTORY_INDUSTRIES)
        lead = self.capture(demo, key, qualified_on - timedelta(days=rng.randint(2, 20)), size=size, industry=industry)
        handoff = self.qualify_and_route(lead, qualified_on)
        if handoff is None or handoff.state != Handoff.State.OFFERED:
            return
        late = rng.random() < 0.12
        handoff, answered = self.answer(handoff, rng.uniform(10, 85) + (400 if late else 0))
        with clock(answered):
            if rng.random() > profile.accept:
                reason = rng.choice(profile.reasons)
                services.reject_offer(handoff_id=handoff.pk, by=handoff.assignee, reason=reason,
                                      note="Not a buyer right now" if reason == "other" else "",
                                      rating=rng.choice([1, 2, 2, 3]))  # fmt: skip
                return
            handoff = services.accept_offer(handoff_id=handoff.pk, by=handoff.assignee,
                                            rating=rng.choice([None, 3, 4, 4, 5]))  # fmt: skip
        won = rng.random() < profile.win
        days = rng.uniform(*profile.days) * (1 if won else 0.7)
        close_at = qualified_on + timedelta(days=days)
        if close_at > timezone.now() - timedelta(days=1):
            target = OPEN_STAGES[min(3, int(4 * (timezone.now() - qualified_on) / timedelta(days=days)))]
            self.work_deal(handoff.deal, target=target, start=answered, close_at=None, won=False,
                           amount=rng.randint(*profile.amount), rating=None)  # fmt: skip
            return
        self.work_deal(
            handoff.deal, target=LAST_OPEN_STAGE[WON if won else LOST], start=answered, close_at=close_at, won=won,
            amount=rng.randint(*profile.amount) // 500 * 500, rating=rng.choice([4, 5]) if won else rng.choice([2, 3]),
            lost_reason=rng.choice(["Chose a competitor", "No budget", "Price too high", "No decision: went quiet"]),
        )  # fmt: skip

    # --- now ---------------------------------------------------------------------------------

    def today(self) -> None:
        """Omar is away this week; the SLA sweep catches yesterday's unanswered offer."""
        for demo in data.USERS:
            if demo.away_days:
                sales.set_availability(user_id=self.users[demo.username].pk, status=SalesRep.Status.AWAY,
                                       away_until=timezone.localdate() + timedelta(days=demo.away_days))  # fmt: skip

    def finish(self) -> None:
        services.sweep_offers()
        scorecards.rebuild_all()
        dashboard.rebuild_all()  # the manager's first look shows numbers, not "not built yet"


def play() -> None:
    demo = Demo()
    demo.cast()
    demo.campaigns_and_playbook()
    demo.history()
    demo.today()
    for spec in data.LEADS:
        demo.story(spec)
    demo.finish()


def _group(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise CommandError(
            f"The {name!r} group is missing: run `manage.py migrate` first (it creates the roles)."
        ) from None
