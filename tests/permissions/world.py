"""The objects the permission table asks about, built once through the real services.

Two teams: Inside Sales (manager Mike; salespeople Sam and his teammate Sara) and Field
Sales (manager Erin; salesperson Stan), plus a marketer and an admin. Sam owns most of what
the rows ask about (an open offer, an open deal with an activity, a closed deal, the lead
behind his deal, an API token); Stan owns the same on the other team's side. Each person
and company has a name of its own (see MARKERS), so a page that shows it can be caught.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.utils import timezone

from handoff import services as handoff_services
from handoff.models import Handoff, RoutingRule
from leadflow.accounts import services as account_services
from leadflow.accounts.models import ApiToken
from leadflow.audit import recording
from marketing.models import Campaign, CampaignSpend, FitRule, FormQuestion, Lead, LeadImport
from marketing.services import campaigns as campaign_services
from marketing.services import imports as import_services
from marketing.services import lead_forms as form_services
from marketing.services import scoring_rules
from sales import services as sales_services
from sales.models import Activity, Deal, LostReason, Pipeline, SalesRep, Stage, StageAsset, Team
from tests import factories
from tests.handoff import factories as handoff_factories


@dataclass
class World:
    # people
    marketer: User
    rep: User
    teammate: User
    stranger: User
    manager: User
    other_manager: User
    admin: User
    # sales' side
    team: Team
    other_team: Team
    rep_profile: SalesRep
    token: ApiToken
    token_secret: str
    rep_offer: Handoff  # open offer to Sam
    other_offer: Handoff  # open offer to Stan
    rep_deal: Deal  # Sam's open deal
    rep_handoff: Handoff  # the accepted handoff behind it
    rep_closed_deal: Deal  # Sam's deal, closed lost
    other_deal: Deal  # Stan's open deal
    activity: Activity  # open activity on Sam's deal
    asset: StageAsset  # playbook asset of the stage Sam's deal is in
    pipeline: Pipeline
    open_stage: Stage  # the stage Sam's deal is in: negotiation, whence it may be won
    next_stage: Stage  # a stage it may move to: one step back, proposal
    won_stage: Stage
    lost_reason: LostReason
    rule: RoutingRule  # Inside Sales' routing rule
    other_rule: RoutingRule  # Field Sales' routing rule
    # marketing's side
    campaign: Campaign
    spend: CampaignSpend
    question: FormQuestion
    fit_rule: FitRule
    lead_import: LeadImport
    fresh_lead: Lead  # marketing still has it
    twin_lead: Lead  # a likely duplicate of fresh_lead
    recycled_lead: Lead  # sales sent it back
    rep_lead: Lead  # accepted by Sam (SAL): marketing only reads it
    other_lead: Lead  # accepted by Stan

    @staticmethod
    def csv_upload() -> SimpleUploadedFile:
        return SimpleUploadedFile("more-people.csv", b"email,First Name\nhelmi@imported.example,Helmi\n")


# First names that appear nowhere else: a response showing one shows that person.
MARKERS = {
    "rep_offer": "Quenby",  # offered to Sam
    "rep_lead": "Ysolde",  # accepted by Sam: his open deal
    "rep_closed": "Thaddeus",  # Sam's lost deal
    "other_offer": "Perpetua",  # offered to Stan
    "other_lead": "Wendeline",  # accepted by Stan: his open deal
    "fresh_lead": "Ignatia",  # marketing's, never handed to sales
}
TOKEN_NAME = "Zanzibar sync"  # Sam's API token: his, his manager's to read, nobody else's
_SAMS, _STANS, _MARKETINGS = ("Quenby", "Ysolde", "Thaddeus"), ("Perpetua", "Wendeline"), ("Ignatia",)
_SAMS_TOKEN = ("Zanzibar",)
# Whom each persona may never see, on any page or in any answer: everyone outside their
# scope (marketers and admins see every lead; a manager the team's and the pool handed to it).
UNSEEN = {
    "anonymous": _SAMS + _STANS + _MARKETINGS + _SAMS_TOKEN,
    "marketer": _SAMS_TOKEN,
    "rep": _STANS + _MARKETINGS,
    "teammate": _SAMS + _STANS + _MARKETINGS + _SAMS_TOKEN,
    "stranger": _SAMS + _MARKETINGS + _SAMS_TOKEN,
    "manager": _STANS + _MARKETINGS,
    "other_manager": _SAMS + _MARKETINGS + _SAMS_TOKEN,
    "admin": (),
    "token": _STANS + _MARKETINGS,
}


def acting(user):
    """What a request of `user` would record: the audit log names them for these writes."""
    request = RequestFactory().post("/")
    request.user = user
    return recording.serving(request)


def build() -> World:
    marketer = factories.marketer(username="maria")
    admin = factories.admin(username="root")
    # Inside Sales is created first and gets Sam before anyone else: leads that no rule
    # sends elsewhere go to it, and to Sam while he is its only salesperson.
    team = factories.TeamFactory(name="Inside Sales")
    rep = factories.salesperson(team, username="sam")
    manager = factories.sales_manager(team, username="mike")
    other_team = factories.TeamFactory(name="Field Sales")
    stranger = factories.salesperson(other_team, username="stan")
    other_manager = factories.sales_manager(other_team, username="erin")
    other_rule = handoff_factories.rule(other_team, manager=other_manager, name="DACH", countries=["Germany"])

    campaign = factories.CampaignFactory(name="Permissions webinar", utm_campaign="permissions-webinar")
    form_services.save_form_settings(campaign_id=campaign.pk, fields=["first_name"], required_fields=[], is_open=True)
    question = form_services.add_question(campaign_id=campaign.pk, label="Budget", kind="text")
    spend = campaign_services.add_spend(
        campaign_id=campaign.pk, spent_on=timezone.localdate(), amount=Decimal("120"), by=marketer
    )
    fit_rule = scoring_rules.save_fit_rule(
        label="Chiefs", field="title", operator="contains", value="chief", points=10, by=marketer
    )
    upload = SimpleUploadedFile("people.csv", b"email,First Name\nhedda@imported.example,Hedda\n")
    lead_import = import_services.create_import(upload=upload, by=marketer, source="event")

    def person(marker: str, domain: str, **fields) -> dict:
        return {
            "email": f"{marker.lower()}@{domain}",
            "first_name": marker,
            "last_name": "Example",
            "campaign": campaign,  # so that campaign pages, scorecards and dashboards count them
            **fields,
        }

    rep_offer = factories.offered(**person(MARKERS["rep_offer"], "quenby-offer.example", company="Quenby Ltd"))
    rep_handoff = factories.offered(**person(MARKERS["rep_lead"], "ysolde-deal.example", company="Ysolde Ltd"))
    with acting(rep):
        handoff_services.accept_offer(handoff_id=rep_handoff.pk, by=rep)
    rep_handoff.refresh_from_db()
    closed = handoff_factories.decided_deal(
        rep, won=False, **person(MARKERS["rep_closed"], "thaddeus-closed.example", company="Thaddeus Ltd")
    )
    recycled = handoff_factories.rejected(rep, **person("Orsolya", "orsolya-recycled.example"))
    in_germany = {"country": "Germany"}
    other_offer = factories.offered(
        **person(MARKERS["other_offer"], "perpetua-offer.example", company="Perpetua GmbH", **in_germany)
    )
    other_handoff = factories.offered(
        **person(MARKERS["other_lead"], "wendeline-deal.example", company="Wendeline GmbH", **in_germany)
    )
    with acting(stranger):
        handoff_services.accept_offer(handoff_id=other_handoff.pk, by=stranger)
    other_handoff.refresh_from_db()
    assert {rep_offer.assignee, rep_handoff.assignee, other_offer.assignee} == {rep, stranger}
    assert rep_offer.assignee == rep and other_offer.assignee == stranger

    # Sara joins after the routing above, so every offer of Inside Sales went to Sam.
    teammate = factories.salesperson(team, username="sara")
    rule = handoff_factories.rule(team, manager=manager, name="France", countries=["France"])

    rep_deal = factories.walked_to(Deal.objects.get(pk=rep_handoff.deal_id), "negotiation", by=rep)
    activity = sales_services.log_activity(
        deal_id=rep_deal.pk,
        by=rep,
        kind="call",
        subject="Call Ysolde",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    handoff_services.save_playbook(
        stage_id=rep_deal.stage_id,
        by=marketer,
        buyer_guidance="Find the pain.",
        exit_criteria="- Budget known",
        assets=[{"title": "Case study", "url": "https://example.com/case"}],
    )
    fresh_lead = factories.capture(**person(MARKERS["fresh_lead"], "ignatia-fresh.example"))
    twin_lead = factories.capture(**person(MARKERS["fresh_lead"], "ignatia-twin.example"))
    issued = account_services.create_api_token(user=rep, name=TOKEN_NAME)
    # Used once now: its "last used" time is then fresh for the minute the table runs.
    account_services.authenticate_api_token(raw=issued.secret)
    pipeline = sales_services.default_pipeline()
    rep_deal.refresh_from_db()
    return World(
        marketer=marketer,
        rep=rep,
        teammate=teammate,
        stranger=stranger,
        manager=manager,
        other_manager=other_manager,
        admin=admin,
        team=team,
        other_team=other_team,
        rep_profile=SalesRep.objects.get(user=rep),
        token=issued.token,
        token_secret=issued.secret,
        rep_offer=rep_offer,
        other_offer=other_offer,
        rep_deal=rep_deal,
        rep_handoff=rep_handoff,
        rep_closed_deal=Deal.objects.get(pk=closed.pk),
        other_deal=Deal.objects.get(pk=other_handoff.deal_id),
        activity=activity,
        asset=StageAsset.objects.get(stage_id=rep_deal.stage_id),
        pipeline=pipeline,
        open_stage=rep_deal.stage,
        next_stage=pipeline.stages.get(slug="proposal"),
        won_stage=pipeline.stages.get(kind=Stage.Kind.WON),
        lost_reason=sales_services.active_lost_reasons().first(),
        rule=rule,
        other_rule=other_rule,
        campaign=campaign,
        spend=spend,
        question=question,
        fit_rule=fit_rule,
        lead_import=lead_import,
        fresh_lead=fresh_lead,
        twin_lead=twin_lead,
        recycled_lead=Lead.objects.get(pk=recycled.lead_id),
        rep_lead=Lead.objects.get(pk=rep_handoff.lead_id),
        other_lead=Lead.objects.get(pk=other_handoff.lead_id),
    )
