"""Realistic LeadFlow data at any size, for benchmarks and demos (`manage.py generate_data`).

Why rows are written directly here, when everywhere else only services write: the
services take 1–10 ms per lead (a transaction, a stage history row, a signal, a task), so
a million leads through them would take days. This is a loader, not a use case: it writes
the end state the services would have reached — the same rows, states and timestamps, one
consistent timeline per lead (see journeys.py) — with PostgreSQL COPY (47–60k rows/s
measured here, docs/PERFORMANCE.md) or executemany on SQLite. The tests check the invariants
the services keep (every accepted handoff has its deal, every won deal's lead is a
customer with the outcome won, and so on).
"""

import random
import time
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import connection, transaction

from handoff import roles
from handoff.models import Feedback, Handoff, Offer
from insights.dashboard.rollups import writer
from marketing.models import Campaign, Lead, LeadStageChange, Touchpoint
from sales import services as sales_services
from sales.models import Deal, DealStageChange, SalesRep, Team

from . import journeys, shapes, vocabulary
from .plan import DAY, MONTHLY_FLOOR, make_plan

TABLE_ORDER = ["deal", "deal_change", "lead", "lead_change", "touchpoint", "handoff", "offer", "feedback"]
SEGMENTS = ["Inside Sales", "Field Sales", "Enterprise"]


@dataclass
class Report:
    rows: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    write_seconds: float = 0.0
    rollup_seconds: float = 0.0
    origin: list[str] = field(default_factory=list)
    paths: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.rows.values())

    @property
    def rows_per_second(self) -> float:
        return self.total / self.seconds if self.seconds else 0.0


def default_shapes_dir() -> Path:
    return Path(settings.BASE_DIR).parent / "shared" / "data"


def generate(
    *,
    leads: int,
    deals: int,
    touchpoints: int,
    campaigns: int,
    reps: int,
    teams: int | None = None,
    seed: int = 1,
    end: date | None = None,
    days: int = 730,
    shapes_dir: Path | None = None,
    password: str | None = None,
    chunk: int = 5000,
    progress=None,
    rollups: bool = True,
) -> Report:
    """Write a consistent data set of the given size; deterministic for a seed and end date."""
    if min(leads, campaigns, reps) < 1 or deals < 0:
        raise ValueError("--leads, --campaigns and --reps must be at least 1, --deals at least 0.")
    started = time.perf_counter()
    report = Report()
    found = shapes.load(shapes_dir if shapes_dir is not None else default_shapes_dir())
    report.origin = found.origin
    rng = random.Random(seed)
    end = end or datetime.now(UTC).date()
    end_epoch = int(datetime(end.year, end.month, end.day, tzinfo=UTC).timestamp())
    plan = make_plan(
        rng, found, start=end_epoch - days * DAY, days=days, leads=leads, deals=deals,
        touchpoints=touchpoints, campaigns=campaigns,
    )  # fmt: skip
    names = {0: "nurture", 1: "subscriber", 2: "disqualified", 3: "rejected", 4: "deal", 5: "deal after rejection"}
    report.paths = {names.get(key, "pending offer"): value for key, value in sorted(plan.paths.items())}
    fmt = TextFormat(plan.start)
    with transaction.atomic():
        people = _people(rng, found, reps=reps, teams=teams or max(1, round(reps / 8)), password=password)
        pipeline = sales_services.default_pipeline()
        context = journeys.Context(
            campaign_ids=[],
            campaign_utm=[],
            teams=people["teams"],
            stage_ids=dict(pipeline.stages.values_list("slug", "pk")),
            pipeline_id=pipeline.pk,
            lost_reasons=_lost_reasons(),
            sla_seconds=settings.LEADFLOW_OFFER_SLA_MINUTES * 60,
            mql_threshold=settings.LEADFLOW_MQL_THRESHOLD,
        )
        report.rows.update(_campaigns(rng, plan, context, people["marketers"], fmt))
    tables = {
        "deal": writer.Table(Deal, DEAL_FIELDS, optional=("last_activity_at", "lead_rating")),
        "deal_change": writer.Table(DealStageChange, DEAL_CHANGE_FIELDS),
        "lead": writer.Table(Lead, LEAD_FIELDS, optional=("qualified_at", "accepted_at", "nurture_until")),
        "lead_change": writer.Table(LeadStageChange, LEAD_CHANGE_FIELDS),
        "touchpoint": writer.Table(Touchpoint, TOUCHPOINT_FIELDS),
        "handoff": writer.Table(Handoff, HANDOFF_FIELDS, optional=("route_reason", "recycle_action", "domain")),
        "offer": writer.Table(Offer, OFFER_FIELDS, optional=("response_minutes", "remind_at")),
        "feedback": writer.Table(Feedback, FEEDBACK_FIELDS),
    }
    first_ids = {name: writer.next_id(table.model) for name, table in tables.items() if name != "lead"}
    first_lead = writer.next_id(Lead)
    builder = journeys.Journeys(rng, found, plan, context, tables, first_ids, fmt)
    background = writer.Background()
    try:
        for chunk_start in range(0, leads, chunk):
            for index in range(chunk_start, min(chunk_start + chunk, leads)):
                builder.build(index, first_lead + index)
            background.submit([tables[name] for name in TABLE_ORDER])
            if progress:
                progress(min(chunk_start + chunk, leads), leads, time.perf_counter() - started)
    finally:
        background.close()
    models = [Campaign, Lead, LeadStageChange, Touchpoint, Deal, DealStageChange, Handoff, Offer, Feedback]
    spend = _spend_model()
    writer.reset_sequences([*models, *([spend] if spend else [])])
    writer.analyze(models)
    for name in TABLE_ORDER:
        report.rows[name] = tables[name].written
        report.write_seconds += tables[name].seconds
    report.seconds = time.perf_counter() - started
    if rollups:
        from insights.dashboard.rollups.refresh import rebuild_all

        rollup_started = time.perf_counter()
        rebuild_all()
        report.rollup_seconds = time.perf_counter() - rollup_started
    return report


class TextFormat:
    """Epoch seconds → the text this database stores for a timestamp (cached per day)."""

    def __init__(self, start: int):
        self.suffix = "+00:00" if connection.vendor == "postgresql" else ""
        self.days: dict[int, str] = {}

    def timestamp(self, epoch: int) -> str:
        day, second = divmod(epoch, DAY)
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = datetime.fromtimestamp(day * DAY, UTC).strftime("%Y-%m-%d ")
        return f"{prefix}{second // 3600:02d}:{second // 60 % 60:02d}:{second % 60:02d}{self.suffix}"

    def date(self, epoch: int) -> str:
        return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d")


def _spend_model():
    try:
        return apps.get_model("marketing", "CampaignSpend")
    except LookupError:
        return None


def _lost_reasons() -> list[str]:
    try:
        model = apps.get_model("sales", "LostReason")
    except LookupError:
        return vocabulary.LOST_REASONS
    return list(model.objects.filter(is_active=True).values_list("name", flat=True)) or vocabulary.LOST_REASONS


def _people(rng: random.Random, found: shapes.Shapes, *, reps: int, teams: int, password: str | None) -> dict:
    """Teams with a manager each, reps spread over them, and three marketers (reused if present)."""
    hashed = make_password(password)  # one hash for everyone: hashing 60 users would take 20 s
    groups = {name: Group.objects.get(name=name) for name in roles.ROLE_PERMISSIONS}
    team_names = [f"{region} {segment}" for segment in SEGMENTS for region in found.regions]
    team_names += [f"Sales team {n}" for n in range(len(team_names) + 1, teams + 1)]
    manager_names = found.managers + [f"{a} {b}" for a in vocabulary.FIRST_NAMES for b in vocabulary.LAST_NAMES]
    rep_names = found.agents + [f"{b} {a}" for a in vocabulary.LAST_NAMES for b in vocabulary.FIRST_NAMES]
    made_teams = []
    for number in range(teams):
        manager = _user(manager_names[number], hashed, groups[roles.SALES_MANAGERS])
        team, _ = Team.objects.get_or_create(name=team_names[number], defaults={"manager": manager})
        made_teams.append((team.pk, []))
    for number in range(reps):
        user = _user(rep_names[number], hashed, groups[roles.SALES])
        team_id = made_teams[number % teams][0]
        rep, _ = SalesRep.objects.get_or_create(
            user=user, defaults={"team_id": team_id, "routing_weight": 2 if rng.random() < 0.2 else 1}
        )
        member = journeys.Rep(
            user_id=user.pk,
            team_id=rep.team_id,
            weight=rep.routing_weight,
            speed=rng.lognormvariate(0, 0.55),
            skill=rng.lognormvariate(0, 0.18),
        )
        team_members = next((members for pk, members in made_teams if pk == rep.team_id), None)
        if team_members is None:
            made_teams.append((rep.team_id, team_members := []))
        team_members.append(member)
    marketers = [
        _user(name, hashed, groups[roles.MARKETING]).pk for name in ("Maya Marketing", "Leo Growth", "Ines Content")
    ]
    return {"teams": [(pk, members) for pk, members in made_teams if members], "marketers": marketers}


def _user(full_name: str, hashed: str, group: Group):
    first, _, last = full_name.partition(" ")
    username = full_name.lower().replace(" ", ".")[:150]
    user, created = get_user_model().objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@leadflow.example", "password": hashed},
    )
    if created:
        user.groups.add(group)
    return user


def _campaigns(rng: random.Random, plan, context: journeys.Context, marketers: list[int], fmt: TextFormat) -> dict:
    """Campaign rows, and what each cost: its leads at its cost per lead, logged weekly."""
    spend_model = _spend_model()
    campaign_table = writer.Table(Campaign, CAMPAIGN_FIELDS, optional=("updated_at",))
    spend_table = writer.Table(spend_model, SPEND_FIELDS) if spend_model else None
    first_id = writer.next_id(Campaign)
    next_spend = writer.next_id(spend_model) if spend_model else 0
    last_day = plan.days - 1
    for index, campaign in enumerate(plan.campaigns):
        campaign_id = first_id + index
        slug = f"gen-{campaign_id}-{campaign.channel.replace('_', '-')}"
        context.campaign_ids.append(campaign_id)
        context.campaign_utm.append(slug)
        running_days = max(min(campaign.end_day, last_day) - max(campaign.start_day, 0) + 1, 1)
        floor = MONTHLY_FLOOR.get(campaign.channel, 0) * running_days / 30
        spend = Decimal(max(campaign.leads * campaign.cost_per_lead, floor, 500)).quantize(Decimal("1"))
        budget = (spend * Decimal(rng.uniform(1.0, 1.3)) / 100).quantize(Decimal("1")) * 100 if spend_model else spend
        starts = plan.start + campaign.start_day * DAY
        ends = plan.start + campaign.end_day * DAY
        status = "completed" if campaign.end_day < last_day else ("paused" if rng.random() < 0.05 else "active")
        created = fmt.timestamp(starts - 14 * DAY)
        campaign_table.add(
            (
                campaign_id, campaign.name, campaign.channel, status, fmt.date(starts), fmt.date(ends), str(budget),
                marketers[index % len(marketers)], slug, "", created, created,
            )
        )  # fmt: skip
        if spend_table is not None:
            weeks = list(range(max(campaign.start_day, 0), min(campaign.end_day, last_day) + 1, 7)) or [last_day]
            share = (spend / len(weeks)).quantize(Decimal("0.01"))
            for number, day in enumerate(weeks):
                amount = spend - share * (len(weeks) - 1) if number == len(weeks) - 1 else share
                at = plan.start + day * DAY
                spend_table.add(
                    (next_spend, campaign_id, fmt.date(at), str(amount), "Weekly spend", None, fmt.timestamp(at))
                )
                next_spend += 1
    campaign_table.flush()
    written = {"campaign": campaign_table.written}
    if spend_table is not None:
        spend_table.flush()
        written["campaign_spend"] = spend_table.written
    return written


CAMPAIGN_FIELDS = [
    "id", "name", "channel", "status", "starts_on", "ends_on", "budget", "owner_id", "utm_campaign", "description",
    "created_at",
]  # fmt: skip
SPEND_FIELDS = ["id", "campaign_id", "spent_on", "amount", "note", "created_by_id", "created_at"]
LEAD_FIELDS = [
    "id", "email", "email_normalized", "first_name", "last_name", "company", "title", "phone", "country", "industry",
    "company_size", "source", "first_touch_campaign_id", "utm_source", "utm_medium", "utm_campaign", "utm_term",
    "utm_content", "consent_given_at", "consent_source", "consent_text", "stage", "stage_changed_at", "score",
    "score_reasons", "scored_at", "attributes", "recycle_count", "owner_id", "outcome", "outcome_amount",
    "outcome_at", "review_reason", "created_at", "updated_at",
]  # fmt: skip
LEAD_CHANGE_FIELDS = ["id", "lead_id", "stage", "entered_at", "exited_at", "reason", "changed_by_id"]
TOUCHPOINT_FIELDS = [
    "id", "lead_id", "kind", "campaign_id", "channel", "occurred_at", "utm_source", "utm_medium", "utm_campaign",
    "utm_term", "utm_content", "referrer", "landing_page", "details",
]  # fmt: skip
DEAL_FIELDS = [
    "id", "pipeline_id", "stage_id", "owner_id", "team_id", "title", "contact_name", "contact_email",
    "contact_phone", "company", "amount", "currency", "expected_close", "closed_at", "lost_reason", "brief",
    "version", "created_at", "updated_at",
]  # fmt: skip
DEAL_CHANGE_FIELDS = ["id", "deal_id", "from_stage_id", "to_stage_id", "changed_at", "changed_by_id"]
HANDOFF_FIELDS = [
    "id", "lead_id", "cycle", "team_id", "state", "assignee_id", "offered_at", "due_at", "decided_at",
    "rejection_reason", "rejection_note", "deal_id", "outcome_closed_at", "created_at",
]  # fmt: skip
OFFER_FIELDS = ["id", "handoff_id", "assignee_id", "state", "offered_at", "due_at", "decided_at"]
FEEDBACK_FIELDS = ["id", "handoff_id", "author_id", "moment", "rating", "comment", "created_at"]
