"""`manage.py seed_demo`: demo users, campaigns and leads that walk the whole lead journey.

Leads, scores, offers and deals are written by the same services the pages call, so a
newcomer clicks through real states (scores with reasons, stage history, SLA clocks),
never rows made up by hand.
"""

import io
import os
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser, Group
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from handoff import roles, services
from handoff.models import Handoff, RejectionReason
from marketing import services as marketing
from marketing.models import Campaign, Channel, Lead, Touchpoint
from marketing.models import Stage as LeadStage
from marketing.services import Capture
from sales import services as sales
from sales.models import Deal, SalesRep, Team
from sales.models import Stage as DealStage

PASSWORD = "leadflow-demo"
SITE = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"
MARKER = "maria"  # created first: if she exists, the demo is already loaded
TEAM = "Inside Sales"
CONSENT = "Yes, LeadFlow may email me about products, events and offers. I can unsubscribe at any time."


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    start: str  # URL name of the page where this role starts the tour
    group: str = ""
    is_rep: bool = False
    is_admin: bool = False


USERS = (
    DemoUser("maria", "Maria", "Lopez", "Marketer", "marketing:lead-list", group=roles.MARKETING),
    DemoUser("sam", "Sam", "Carter", "Salesperson", "handoff:inbox", group=roles.SALES, is_rep=True),
    DemoUser("sara", "Sara", "Kim", "Salesperson", "handoff:inbox", group=roles.SALES, is_rep=True),
    DemoUser("mike", "Mike", "Chen", "Sales manager", "dashboard:overview", group=roles.SALES_MANAGERS),
    DemoUser("admin", "Alex", "Morgan", "Admin", "admin:index", is_admin=True),
)


@dataclass(frozen=True)
class DemoCampaign:
    name: str
    slug: str
    channel: str
    status: str
    starts: int  # days from today
    ends: int | None
    budget: int
    utm_source: str
    utm_medium: str
    touch: str  # what a lead coming from it did
    consent: bool = False


_S = Campaign.Status
_K = Touchpoint.Kind
CAMPAIGNS = {
    "webinar": DemoCampaign(
        "Webinar: Fixing the marketing–sales handoff", "handoff-webinar", Channel.WEBINAR, _S.COMPLETED,
        -40, -26, 3_500, "zoom", "webinar", _K.WEBINAR, consent=True,
    ),
    "search": DemoCampaign(
        "Google Ads: lead routing software", "gads-lead-routing", Channel.PAID_SEARCH, _S.ACTIVE,
        -75, 45, 12_000, "google", "cpc", _K.FORM_SUBMIT,
    ),
    "linkedin": DemoCampaign(
        "LinkedIn: RevOps leaders", "li-revops-leaders", Channel.PAID_SOCIAL, _S.ACTIVE,
        -30, 60, 9_000, "linkedin", "paid_social", _K.FORM_SUBMIT,
    ),
    "booth": DemoCampaign(
        "SaaS Growth Summit booth", "saas-growth-summit", Channel.EVENT, _S.COMPLETED,
        -18, -16, 15_000, "event", "booth", _K.EVENT,
    ),
    "newsletter": DemoCampaign(
        "Monthly newsletter", "newsletter", Channel.EMAIL, _S.ACTIVE,
        -180, None, 600, "newsletter", "email", _K.FORM_SUBMIT, consent=True,
    ),
    "ebook": DemoCampaign(
        "E-book: The lead SLA playbook", "sla-playbook-ebook", Channel.CONTENT, _S.PAUSED,
        -90, None, 2_000, "website", "content", _K.CONTENT_DOWNLOAD, consent=True,
    ),
    "partner": DemoCampaign(
        "Co-marketing with CloudCo", "cloudco-comarketing", Channel.PARTNER, _S.PLANNED,
        21, 111, 6_000, "cloudco", "referral", _K.FORM_SUBMIT,
    ),
}  # fmt: skip
DEMO_REQUEST = "demo-request"  # a touch with no campaign: "book a demo" on the website

# Where each lead's story ends. Deal journeys name the last open stage the deal reaches.
NURTURE, JUNK, OPEN, REJECTED = "nurture", "junk", "open", "rejected"
OPEN_STAGES = ["discovery", "qualification", "proposal", "negotiation"]  # the default pipeline's slugs
DISCOVERY, QUALIFICATION, PROPOSAL, NEGOTIATION = OPEN_STAGES
WON, LOST = "won", "lost"
LAST_OPEN_STAGE = {**{slug: slug for slug in OPEN_STAGES}, WON: NEGOTIATION, LOST: PROPOSAL}


@dataclass(frozen=True)
class DemoLead:
    name: str
    email: str
    company: str
    title: str
    touches: tuple[str, ...]  # campaign keys (or DEMO_REQUEST), oldest first
    journey: str = NURTURE
    phone: str = ""
    country: str = ""
    amount: int = 0  # the deal's value once sales has sized it
    rating: int | None = None  # sales' 1–5 verdict on the lead
    reason: str = ""  # rejection reason, lost reason or disqualification reason
    note: str = ""


# Scores come from marketing/scoring.py: a senior title at a business address with a
# company and one form reaches 50 (the MQL bar); the rest stay with marketing.
LEADS = (
    # Played through to a closed deal.
    DemoLead("Priya Natarajan", "priya.natarajan@northwind.example", "Northwind Logistics", "VP Revenue Operations",
             ("webinar",), WON, phone="+1 415 555 0142", country="United States", amount=48_000, rating=5),
    DemoLead("Daniel Okafor", "d.okafor@brightline-health.example", "Brightline Health", "Head of Sales",
             ("linkedin", DEMO_REQUEST), WON, country="United Kingdom", amount=36_500, rating=5),
    DemoLead("Hannah Becker", "hannah.becker@alpenrose.example", "Alpenrose Foods", "Director of Marketing",
             ("booth",), LOST, country="Germany", amount=22_000, rating=4,
             reason="Chose a competitor", note="Went with their CRM vendor's add-on: cheaper, good enough"),
    # Open deals at every stage.
    DemoLead("Marco Rossi", "marco@velarobotics.example", "Vela Robotics", "CTO",
             ("search",), NEGOTIATION, phone="+39 02 5550 1234", country="Italy", amount=62_000, rating=5),
    DemoLead("Aisha Rahman", "aisha.rahman@kestrel-analytics.example", "Kestrel Analytics", "Chief Revenue Officer",
             ("webinar", DEMO_REQUEST), PROPOSAL, country="United Arab Emirates", amount=27_000, rating=4),
    DemoLead("Tom Lindqvist", "tom.lindqvist@fjordpay.example", "Fjord Payments", "VP Sales",
             ("linkedin",), PROPOSAL, country="Sweden", amount=18_000),
    DemoLead("Grace Liu", "grace.liu@orchard-learning.example", "Orchard Learning", "Director of Sales Operations",
             ("search",), QUALIFICATION, country="Canada", amount=12_500, rating=4),
    DemoLead("Jonas Weber", "jonas.weber@blauwal.example", "Blauwal Energy", "Head of Growth",
             ("booth",), QUALIFICATION, country="Germany", amount=30_000),
    DemoLead("Lucía Fernández", "lucia@solera.example", "Solera Studio", "Founder & CEO",
             ("newsletter", "webinar"), DISCOVERY, country="Spain", rating=4),
    DemoLead("Ethan Brooks", "ethan.brooks@harborview.example", "Harborview Realty", "VP Marketing",
             ("search",), DISCOVERY, country="United States"),
    DemoLead("Mei Tanaka", "mei.tanaka@sakura-devices.example", "Sakura Devices", "Director of IT",
             ("ebook",), DISCOVERY, phone="+81 3 5550 7788", country="Japan"),
    # Sent back to marketing by sales.
    DemoLead("Oliver Grant", "oliver@grantandsons.example", "Grant & Sons Plumbing", "Owner",
             ("search",), REJECTED, country="Ireland", rating=2, reason=RejectionReason.BAD_FIT,
             note="Two-person business, far below our 10-seat minimum."),
    DemoLead("Chloe Martin", "chloe.martin@lumen-retail.example", "Lumen Retail", "Head of Procurement",
             ("linkedin",), REJECTED, country="France", rating=3, reason=RejectionReason.NO_BUDGET,
             note="Budget frozen until the next fiscal year; check back in Q1."),
    DemoLead("Raj Patel", "raj.patel@insight-partners.example", "Insight Partners Agency", "Research Director",
             ("booth",), REJECTED, country="India", rating=1, reason=RejectionReason.WRONG_CONTACT,
             note="Agency researcher collecting vendor info for a client; not a buyer."),
    # Waiting in the salespeople's inboxes. Kept together: equal routing weights alternate
    # between the two reps, so each inbox gets half of them.
    DemoLead("Sofia Alvarez", "sofia.alvarez@tidewater.example", "Tidewater Insurance", "VP Customer Success",
             ("webinar",), OPEN, country="Mexico"),
    DemoLead("Noah Fischer", "noah.fischer@granitebuild.example", "Granite Build", "CFO",
             ("search",), OPEN, phone="+1 312 555 0199", country="United States"),
    DemoLead("Amara Okonkwo", "amara@savanna-telecom.example", "Savanna Telecom", "Head of Revenue",
             ("linkedin",), OPEN, country="Nigeria"),
    DemoLead("Lukas Novák", "lukas.novak@vltava-software.example", "Vltava Software", "Director of Sales",
             ("booth",), OPEN, country="Czechia"),
    DemoLead("Isabelle Dubois", "isabelle.dubois@maisonverte.example", "Maison Verte", "Chief Marketing Officer",
             ("newsletter", "webinar"), OPEN, country="France"),
    DemoLead("James O'Connor", "james.oconnor@cloverfreight.example", "Clover Freight", "President",
             ("search",), OPEN, country="Ireland"),
    DemoLead("Yuki Sato", "yuki.sato@kumo-cloud.example", "Kumo Cloud", "VP Operations",
             ("linkedin",), OPEN, country="Japan"),
    DemoLead("Fatima Haddad", "fatima.haddad@cedarpay.example", "Cedar Pay", "Head of Partnerships",
             ("booth",), OPEN, country="Lebanon"),
    # Still with marketing: below the bar (free mail, junior titles, little engagement).
    DemoLead("Ben Turner", "ben.turner@pebble-apps.example", "Pebble Apps", "Marketing Manager", ("newsletter",)),
    DemoLead("Laura Schmidt", "laura.schmidt@rheinblick.example", "Rheinblick GmbH", "Sales Manager", ("webinar",)),
    DemoLead("Kevin Wu", "kevin.wu.2004@gmail.com", "", "Student", ("ebook",)),
    DemoLead("Nina Petrova", "nina@polarbear-media.example", "Polar Bear Media", "Account Executive", ("linkedin",)),
    DemoLead("Carlos Mendes", "carlos.mendes@atlantico.example", "Atlântico Shipping", "Operations Lead", ("search",)),
    DemoLead("Emily Johnson", "emily.j.consulting@gmail.com", "", "Freelance Consultant", ("newsletter",)),
    DemoLead("Ahmed Hassan", "ahmed.hassan@dunelabs.example", "Dune Labs", "Product Manager", ("ebook",)),
    DemoLead("Sarah Thompson", "sarah.thompson.bakes@gmail.com", "Thompson Bakery", "Owner", ("booth",)),
    DemoLead("Pieter de Vries", "pieter@tulip-systems.example", "Tulip Systems", "IT Manager", ("newsletter",)),
    DemoLead("Olivia Brown", "olivia.brown@acme-widgets.example", "Acme Widgets", "Marketing Specialist", ("webinar",)),
    DemoLead("Mateo Silva", "mateo.silva@outlook.com", "", "", ("search",)),
    DemoLead("Hiroshi Yamamoto", "hiroshi@sakura-devices.example", "Sakura Devices", "Engineering Manager", ("ebook",)),
    DemoLead("Zoe Clarke", "zoe.clarke@harborview.example", "Harborview Realty", "Junior Analyst", ("linkedin",)),
    DemoLead("Anna Kowalska", "anna.kowalska@wisla-dental.example", "Wisła Dental", "Office Manager", ("search",)),
    DemoLead("Liam Murphy", "liam.murphy@cloverfreight.example", "Clover Freight", "Sales Development Rep",
             ("newsletter",)),
    DemoLead("Elena Popescu", "elena.popescu@yahoo.com", "Carpathia Bank", "Head of Finance", ("webinar",)),
    DemoLead("David Cohen", "david.cohen@negev-water.example", "Negev Water", "Director of Engineering", ("ebook",)),
    # Junk that marketing throws out by hand.
    DemoLead("asdf asdf", "test@mailinator.com", "asdf", "", ("search",), JUNK, reason="Junk form submission"),
)  # fmt: skip


class Command(BaseCommand):
    help = "Load demo users, campaigns and leads that walk the whole lead journey (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (the demo users share a known password)."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                f"seed_demo creates users whose password is {PASSWORD!r}, so it only runs with DEBUG on "
                "(DJANGO_DEBUG=1). Add --force to load the demo data anyway."
            )
        if get_user_model().objects.filter(username=MARKER).exists():
            self.stdout.write(f"Demo data already loaded (user {MARKER!r} exists); nothing changed.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
            self.stdout.write(_summary())
        self.stdout.write(_logins())


def load_demo() -> None:
    """Create everything in one transaction, so that a failure leaves nothing half-done."""
    # The offer notifications go out on commit, and with the console mail backend they
    # would bury the summary under one email per offer: keep them off the terminal.
    try:
        with redirect_stdout(io.StringIO()), transaction.atomic():
            users = _create_users()
            campaigns = _create_campaigns(owner=users[MARKER])
            stages = {stage.slug: stage for stage in sales.default_pipeline().stages.all()}
            for spec in LEADS:
                _play_lead(spec, campaigns, stages, marketer=users[MARKER])
    except IntegrityError as error:
        raise CommandError(
            f"Could not load the demo data, nothing was written: {error}. "
            "It expects a database without the demo's users, team or campaigns."
        ) from error


def _create_users() -> dict[str, AbstractUser]:
    user_model = get_user_model()
    users = {}
    for demo in USERS:
        create = user_model.objects.create_superuser if demo.is_admin else user_model.objects.create_user
        user = create(
            username=demo.username,
            email=f"{demo.username}@leadflow.example",
            password=PASSWORD,
            first_name=demo.first_name,
            last_name=demo.last_name,
        )
        if demo.group:
            user.groups.add(_group(demo.group))
        users[demo.username] = user
    # No service owns teams and reps yet, so they are created here directly.
    team = Team.objects.create(name=TEAM, manager=users["mike"])
    for demo in USERS:
        if demo.is_rep:
            SalesRep.objects.create(user=users[demo.username], team=team, routing_weight=1)
    return users


def _group(name: str) -> Group:
    try:
        return Group.objects.get(name=name)
    except Group.DoesNotExist:
        raise CommandError(
            f"The {name!r} group is missing: run `manage.py migrate` first (it creates the roles)."
        ) from None


def _create_campaigns(*, owner: AbstractUser) -> dict[str, Campaign]:
    today = timezone.localdate()
    return {
        key: Campaign.objects.create(
            name=demo.name,
            channel=demo.channel,
            status=demo.status,
            starts_on=today + timedelta(days=demo.starts),
            ends_on=None if demo.ends is None else today + timedelta(days=demo.ends),
            budget=Decimal(demo.budget),
            owner=owner,
            utm_campaign=demo.slug,
        )
        for key, demo in CAMPAIGNS.items()
    }


def _play_lead(
    spec: DemoLead, campaigns: dict[str, Campaign], stages: dict[str, DealStage], *, marketer: AbstractUser
) -> None:
    """Capture, score and route one lead, then play its journey as sales would."""
    for key in spec.touches:
        lead = marketing.capture_lead(capture=_capture(spec, key, campaigns)).lead
    # Scoring and routing are normally tasks enqueued after commit; running them here
    # makes the demo the same with or without a worker (the tasks then find nothing to do).
    lead = marketing.score_lead(lead_id=lead.pk)
    if spec.journey == JUNK:
        marketing.disqualify_lead(lead_id=lead.pk, reason=spec.reason, by=marketer)
        return
    if lead.stage != LeadStage.MQL:
        return
    services.route_lead(lead_id=lead.pk, cycle=lead.recycle_count)
    handoff = Handoff.objects.select_related("assignee").get(lead=lead, cycle=lead.recycle_count)
    if handoff.state != Handoff.State.OFFERED or spec.journey in (NURTURE, OPEN):
        return
    rep = handoff.assignee
    if spec.journey == REJECTED:
        services.reject_offer(handoff_id=handoff.pk, by=rep, reason=spec.reason, note=spec.note, rating=spec.rating)
        return
    handoff = services.accept_offer(handoff_id=handoff.pk, by=rep, rating=spec.rating)
    _work_deal(handoff.deal, spec, stages, rep=rep)


def _capture(spec: DemoLead, key: str, campaigns: dict[str, Campaign]) -> Capture:
    first_name, _, last_name = spec.name.partition(" ")
    profile = {
        "email": spec.email,
        "first_name": first_name,
        "last_name": last_name,
        "company": spec.company,
        "title": spec.title,
        "phone": spec.phone,
        "country": spec.country,
    }
    if key == DEMO_REQUEST:
        return Capture(**profile, source=Channel.DIRECT, touch_kind=Touchpoint.Kind.MEETING_REQUEST)
    demo, campaign = CAMPAIGNS[key], campaigns[key]
    return Capture(
        **profile,
        campaign=campaign,
        touch_kind=demo.touch,
        utm={"utm_source": demo.utm_source, "utm_medium": demo.utm_medium, "utm_campaign": campaign.utm_campaign},
        consent_text=CONSENT if demo.consent else "",
        consent_source=f"{campaign.name} form" if demo.consent else "",
    )


def _work_deal(deal: Deal, spec: DemoLead, stages: dict[str, DealStage], *, rep: AbstractUser) -> None:
    """Move the deal one allowed step at a time, size it, and close it if the story says so."""
    target = LAST_OPEN_STAGE[spec.journey]
    for slug in OPEN_STAGES[1 : OPEN_STAGES.index(target) + 1]:
        deal = sales.move_deal(deal_id=deal.pk, to_stage_id=stages[slug].pk, by=rep, expected_version=deal.version)
        services.sync_lead_stage(deal_id=deal.pk)  # normally a task after commit, see above
    if spec.journey == WON:
        deal = sales.close_deal(
            deal_id=deal.pk, won=True, by=rep, expected_version=deal.version, amount=Decimal(spec.amount)
        )
    elif spec.amount:
        # Later stages are expected to close sooner.
        weeks = 2 * (len(OPEN_STAGES) - OPEN_STAGES.index(target))
        deal = sales.update_deal(
            deal_id=deal.pk,
            by=rep,
            expected_version=deal.version,
            amount=Decimal(spec.amount),
            expected_close=timezone.localdate() + timedelta(weeks=weeks),
        )
    if spec.journey == LOST:
        deal = sales.close_deal(
            deal_id=deal.pk, won=False, by=rep, expected_version=deal.version, lost_reason=spec.reason
        )
    if deal.is_closed:
        services.record_deal_outcome(deal_id=deal.pk)


def _summary() -> str:
    leads = dict(Lead.objects.order_by().values_list("stage").annotate(Count("id")))
    handoffs = dict(Handoff.objects.order_by().values_list("state").annotate(Count("id")))
    deals = Deal.objects.all()
    return "\n".join(
        [
            f"  {Campaign.objects.count()} campaigns, {sum(leads.values())} leads, "
            f"{sum(handoffs.values())} handoffs, {deals.count()} deals",
            "  leads:    " + _counts(leads, LeadStage.values),
            "  handoffs: " + _counts(handoffs, Handoff.State.values),
            f"  deals:    {deals.open().count()} open, {deals.filter(stage__kind=DealStage.Kind.WON).count()} won, "
            f"{deals.filter(stage__kind=DealStage.Kind.LOST).count()} lost",
            "",
        ]
    )


def _counts(counts: dict[str, int], order: list[str]) -> str:
    return ", ".join(f"{counts[key]} {key}" for key in order if counts.get(key))


def _logins() -> str:
    rows = [f"  {'username':<10}{'role':<15}{'password':<15}start here"]
    rows += [f"  {u.username:<10}{u.role:<15}{PASSWORD:<15}{SITE}{reverse(u.start)}" for u in USERS]
    return f"Open {SITE}/ and log in as:\n" + "\n".join(rows)
