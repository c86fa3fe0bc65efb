"""Load Maven's CRM Sales Opportunities (shared/data/crm_sales_opportunities) as LeadFlow rows.

Each opportunity becomes a lead whose first-touch campaign is its product, handed to its
sales agent (a rep in a team named after the agent's manager): engaged = qualified and
accepted, Won/Lost = the lead's outcome on the close date. 8,800 rows through the services
would take minutes, so this bulk loader writes the rows those services would write.
"""

import csv
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import Group, User

from handoff.models import Handoff
from handoff.roles import SALES
from marketing.models import Campaign, Channel, Lead, LeadStageChange
from marketing.models import Stage as LeadStage
from sales.models import SalesRep, Team
from tests.shared_data import shared_data

DATA = shared_data("crm_sales_opportunities")
OUTCOME = {"Won": Lead.Outcome.WON, "Lost": Lead.Outcome.LOST}


@dataclass(frozen=True)
class Opportunity:
    id: str
    agent: str
    product: str
    stage: str
    engaged: datetime.datetime | None
    closed: datetime.datetime | None
    value: Decimal | None


def _day(text: str) -> datetime.datetime | None:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.UTC) if text else None


def read_opportunities() -> list[Opportunity]:
    with open(DATA / "sales_pipeline.csv", newline="", encoding="utf-8") as handle:
        return [
            Opportunity(
                id=row["opportunity_id"],
                agent=row["sales_agent"],
                product=row["product"],
                stage=row["deal_stage"],
                engaged=_day(row["engage_date"]),
                closed=_day(row["close_date"]),
                value=Decimal(row["close_value"]) if row["close_value"] else None,
            )
            for row in csv.DictReader(handle)
        ]


def read_teams() -> dict[str, str]:
    with open(DATA / "sales_teams.csv", newline="", encoding="utf-8") as handle:
        return {row["sales_agent"]: row["manager"] for row in csv.DictReader(handle)}


def load() -> tuple[list[Opportunity], dict[str, User], dict[str, Campaign]]:
    opportunities, managers = read_opportunities(), read_teams()
    sales = Group.objects.get(name=SALES)
    teams = {name: Team.objects.create(name=name) for name in sorted(set(managers.values()))}
    agents = {}
    for number, (agent, manager) in enumerate(sorted(managers.items())):
        first, _, last = agent.partition(" ")
        user = User.objects.create(username=f"agent{number}", first_name=first, last_name=last)
        user.groups.add(sales)
        SalesRep.objects.create(user=user, team=teams[manager])
        agents[agent] = user
    campaigns = {
        product: Campaign.objects.create(
            name=product, channel=Channel.OTHER, starts_on=datetime.date(2016, 10, 1), utm_campaign=f"product-{n}"
        )
        for n, product in enumerate(sorted({o.product for o in opportunities}))
    }
    leads = Lead.objects.bulk_create(
        [_lead(opportunity, campaigns, agents) for opportunity in opportunities], batch_size=1000
    )
    changes, handoffs = [], []
    for lead, opportunity in zip(leads, opportunities, strict=True):
        changes += _stays(lead, opportunity)
        if opportunity.engaged:
            agent = agents[opportunity.agent]
            handoffs.append(
                Handoff(
                    lead=lead,
                    cycle=0,
                    team_id=agent.sales_rep.team_id,
                    state=Handoff.State.ACCEPTED,
                    assignee=agent,
                    offered_at=opportunity.engaged,
                    due_at=opportunity.engaged + datetime.timedelta(hours=4),
                    decided_at=opportunity.engaged,
                )
            )
    LeadStageChange.objects.bulk_create(changes, batch_size=2000)
    Handoff.objects.bulk_create(handoffs, batch_size=1000)
    return opportunities, agents, campaigns


def _lead(opportunity: Opportunity, campaigns, agents) -> Lead:
    stage = {
        "Won": LeadStage.CUSTOMER,
        "Lost": LeadStage.RECYCLED,
        "Engaging": LeadStage.SAL,
        "Prospecting": LeadStage.LEAD,
    }[opportunity.stage]
    email = f"{opportunity.id.lower()}@crm.example"
    return Lead(
        email=email,
        email_normalized=email,
        first_touch_campaign=campaigns[opportunity.product],
        source=Channel.OTHER,
        stage=stage,
        stage_changed_at=opportunity.closed
        or opportunity.engaged
        or datetime.datetime(2016, 10, 1, tzinfo=datetime.UTC),
        owner=agents[opportunity.agent] if stage in (LeadStage.SAL, LeadStage.CUSTOMER) else None,
        outcome=OUTCOME.get(opportunity.stage, ""),
        outcome_amount=opportunity.value if opportunity.stage in OUTCOME else None,
        outcome_at=opportunity.closed if opportunity.stage in OUTCOME else None,
    )


def _stays(lead: Lead, opportunity: Opportunity) -> list[LeadStageChange]:
    """lead → MQL → SAL → SQL on the engage date, then customer or recycled on the close date."""
    if not opportunity.engaged:
        return [LeadStageChange(lead=lead, stage=LeadStage.LEAD, entered_at=lead.stage_changed_at)]
    path = [(LeadStage.MQL, opportunity.engaged), (LeadStage.SAL, opportunity.engaged)]
    if opportunity.stage in OUTCOME:
        path.append((LeadStage.SQL, opportunity.engaged))
        path.append((lead.stage, opportunity.closed))
    stays = []
    for index, (stage, entered) in enumerate(path):
        exited = path[index + 1][1] if index + 1 < len(path) else None
        stays.append(LeadStageChange(lead=lead, stage=stage, entered_at=entered, exited_at=exited))
    return stays
