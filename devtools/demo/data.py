"""The demo's cast and story: users, two teams with routing rules and working hours,
campaigns, the named leads a newcomer clicks through, and the shape of five months of history.

Plain data only; devtools/demo/play.py plays it through the real services.
"""

from dataclasses import dataclass

from handoff import roles
from handoff.models import RejectionReason
from marketing.models import Campaign, Channel, CompanySize, Touchpoint

PASSWORD = "leadflow-demo"
MARKER = "maria"  # created first: if she exists, the demo is already loaded
CONSENT = "Yes, LeadFlow may email me about products, events and offers. I can unsubscribe at any time."
HISTORY_DAYS = 165  # how far back the history starts


@dataclass(frozen=True)
class DemoUser:
    username: str
    first_name: str
    last_name: str
    role: str
    start: str  # URL name of the page where this role starts the tour
    group: str = ""
    team: str = ""  # reps: their team; managers: the team they manage
    weight: int = 1
    away_days: int = 0  # away for this many more days (no new offers meanwhile)
    is_admin: bool = False


INSIDE, FIELD = "Inside Sales", "Field Sales EMEA"
USERS = (
    DemoUser("maria", "Maria", "Lopez", "Marketer", "insights:scorecards", group=roles.MARKETING),
    DemoUser("sam", "Sam", "Carter", "Salesperson", "handoff:inbox", group=roles.SALES, team=INSIDE),
    DemoUser("sara", "Sara", "Kim", "Salesperson", "handoff:inbox", group=roles.SALES, team=INSIDE),
    DemoUser("mike", "Mike", "Chen", "Sales manager", "handoff:routing", group=roles.SALES_MANAGERS, team=INSIDE),
    DemoUser("lena", "Lena", "Vogel", "Salesperson", "handoff:inbox", group=roles.SALES, team=FIELD, weight=2),
    DemoUser("omar", "Omar", "Haddad", "Salesperson", "handoff:inbox", group=roles.SALES, team=FIELD, away_days=6),
    DemoUser("jan", "Jan", "Novak", "Salesperson", "handoff:inbox", group=roles.SALES, team=FIELD),
    DemoUser("erin", "Erin", "Walsh", "Sales manager", "insights:sla", group=roles.SALES_MANAGERS, team=FIELD),
    DemoUser("admin", "Alex", "Morgan", "Admin", "admin:index", is_admin=True),
)
MANAGERS = {INSIDE: "mike", FIELD: "erin"}

# team → time zone, working days (Monday = 0), hours, SLA in working minutes, open-offer cap
TEAMS = {
    INSIDE: ("America/New_York", [0, 1, 2, 3, 4], "09:00", "17:00", 120, 6),
    FIELD: ("Europe/Berlin", [0, 1, 2, 3, 4], "08:00", "18:00", 240, 8),
}
EMEA = ["United Kingdom", "Ireland", "Germany", "France", "Spain", "Italy", "Sweden", "Czechia", "Netherlands",
        "Poland", "United Arab Emirates", "Lebanon", "Nigeria", "South Africa"]  # fmt: skip
MID_AND_UP = [CompanySize.MEDIUM, CompanySize.LARGE, CompanySize.ENTERPRISE, CompanySize.GLOBAL]
# (name, team, conditions), in order: the first match wins; the rest go to Inside Sales.
RULES = (
    ("EMEA mid-market and enterprise", FIELD, {"countries": EMEA, "company_sizes": MID_AND_UP}),
    ("Trade-show leads", FIELD, {"sources": [Channel.EVENT]}),
    ("Small businesses stay inside", INSIDE, {"company_sizes": [CompanySize.MICRO, CompanySize.SMALL]}),
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
    spend: tuple[int, ...] = ()  # monthly spend logged so far (none: ROI uses the budget)


_S = Campaign.Status
_K = Touchpoint.Kind
CAMPAIGNS = {
    "webinar": DemoCampaign(
        "Webinar series: Fixing the marketing–sales handoff", "handoff-webinar", Channel.WEBINAR, _S.ACTIVE,
        -170, 20, 45_000, "zoom", "webinar", _K.WEBINAR, consent=True, spend=(7_200, 7_900, 6_800, 8_100, 7_400),
    ),
    "search": DemoCampaign(
        "Google Ads: lead routing software", "gads-lead-routing", Channel.PAID_SEARCH, _S.ACTIVE,
        -170, 45, 70_000, "google", "cpc", _K.FORM_SUBMIT, spend=(11_200, 12_600, 11_900, 12_800, 12_100),
    ),
    "linkedin": DemoCampaign(
        "LinkedIn: RevOps leaders", "li-revops-leaders", Channel.PAID_SOCIAL, _S.ACTIVE,
        -120, 60, 50_000, "linkedin", "paid_social", _K.FORM_SUBMIT, spend=(10_500, 11_400, 10_900, 11_600),
    ),
    "booth": DemoCampaign(
        "SaaS Growth Summit booth", "saas-growth-summit", Channel.EVENT, _S.COMPLETED,
        -100, -97, 60_000, "event", "booth", _K.EVENT, spend=(57_800,),
    ),
    "newsletter": DemoCampaign(
        "Monthly newsletter", "newsletter", Channel.EMAIL, _S.ACTIVE,
        -180, None, 6_000, "newsletter", "email", _K.FORM_SUBMIT, consent=True,
    ),
    "ebook": DemoCampaign(
        "E-book: The lead SLA playbook", "sla-playbook-ebook", Channel.CONTENT, _S.PAUSED,
        -150, None, 9_000, "website", "content", _K.CONTENT_DOWNLOAD, consent=True,
    ),
    "partner": DemoCampaign(
        "Co-marketing with CloudCo", "cloudco-comarketing", Channel.PARTNER, _S.PLANNED,
        21, 111, 20_000, "cloudco", "referral", _K.FORM_SUBMIT,
    ),
}  # fmt: skip
DEMO_REQUEST = "demo-request"  # a touch with no campaign: "book a demo" on the website

# Where each lead's story ends. Deal journeys name the last open stage the deal reaches.
NURTURE, JUNK, OPEN, REJECTED, BREACHED = "nurture", "junk", "open", "rejected", "breached"
OPEN_STAGES = ["discovery", "qualification", "proposal", "negotiation"]  # the default pipeline's slugs
DISCOVERY, QUALIFICATION, PROPOSAL, NEGOTIATION = OPEN_STAGES
WON, LOST = "won", "lost"
LAST_OPEN_STAGE = {**{slug: slug for slug in OPEN_STAGES}, WON: NEGOTIATION, LOST: PROPOSAL}
# Days ago each story was qualified (how long ago marketing handed the lead over).
QUALIFIED_DAYS_AGO = {WON: 48, LOST: 36, NEGOTIATION: 30, PROPOSAL: 21, QUALIFICATION: 12, DISCOVERY: 6,
                      REJECTED: 9, BREACHED: 1, OPEN: 0, NURTURE: 0, JUNK: 0}  # fmt: skip


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


# Company size and industry of the story's companies, by email domain (the lead types).
COMPANIES = {
    "northwind.example": ("201-1000", "Logistics"),
    "brightline-health.example": ("1001-5000", "Healthcare"),
    "alpenrose.example": ("1001-5000", "Food & beverage"),
    "velarobotics.example": ("51-200", "Manufacturing"),
    "kestrel-analytics.example": ("51-200", "Software"),
    "fjordpay.example": ("201-1000", "Fintech"),
    "orchard-learning.example": ("51-200", "Education"),
    "blauwal.example": ("1001-5000", "Energy"),
    "solera.example": ("11-50", "Software"),
    "harborview.example": ("201-1000", "Real estate"),
    "sakura-devices.example": ("5001+", "Manufacturing"),
    "grantandsons.example": ("1-10", "Construction"),
    "lumen-retail.example": ("1001-5000", "Retail"),
    "insight-partners.example": ("11-50", "Consulting"),
    "tidewater.example": ("1001-5000", "Insurance"),
    "granitebuild.example": ("201-1000", "Construction"),
    "savanna-telecom.example": ("5001+", "Telecom"),
    "vltava-software.example": ("51-200", "Software"),
    "maisonverte.example": ("201-1000", "Retail"),
    "cloverfreight.example": ("201-1000", "Logistics"),
    "kumo-cloud.example": ("201-1000", "Software"),
    "cedarpay.example": ("51-200", "Fintech"),
}


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
    # Offered yesterday and never answered: the SLA sweep expires it, tells Mike and
    # offers it to the next rep (the breach a manager sees on SLA & fairness).
    DemoLead("Rosa Jimenez", "rosa.jimenez@lumbre-solar.example", "Lumbre Solar", "VP Operations",
             ("search",), BREACHED, country="United States"),
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


# The shape of the history: per campaign, how many leads reached sales, and how sales
# judged them — share accepted, share of accepted won, days from MQL to a closed deal,
# deal sizes and the reasons for sending leads back. Webinars bring few leads that close
# fast; paid search brings many that sales often rejects.
@dataclass(frozen=True)
class Profile:
    leads: int
    accept: float
    win: float
    days: tuple[int, int]
    amount: tuple[int, int]
    reasons: tuple[str, ...]


_R = RejectionReason
HISTORY = {
    "webinar": Profile(16, 0.9, 0.6, (14, 34), (18_000, 45_000), (_R.BAD_TIMING, _R.NO_BUDGET)),
    "search": Profile(30, 0.6, 0.3, (25, 70), (8_000, 30_000), (_R.BAD_FIT, _R.NO_NEED, _R.SPAM, _R.BAD_FIT)),
    "linkedin": Profile(18, 0.75, 0.4, (30, 60), (15_000, 40_000), (_R.NO_AUTHORITY, _R.NO_BUDGET)),
    "booth": Profile(14, 0.8, 0.45, (35, 80), (20_000, 60_000), (_R.WRONG_CONTACT, _R.NO_NEED)),
    "newsletter": Profile(8, 0.7, 0.35, (20, 45), (6_000, 20_000), (_R.BAD_TIMING, _R.NO_BUDGET)),
    "ebook": Profile(10, 0.55, 0.2, (40, 90), (5_000, 15_000), (_R.NO_BUDGET, _R.BAD_FIT, _R.OTHER)),
    DEMO_REQUEST: Profile(8, 0.95, 0.65, (10, 25), (20_000, 55_000), (_R.DUPLICATE,)),
}
HISTORY_COUNTRIES = ["United States"] * 6 + ["Canada", "United Kingdom", "Germany", "France", "Sweden", "Spain",
                                             "Netherlands", "Australia"]  # fmt: skip
HISTORY_INDUSTRIES = ["Software", "Logistics", "Fintech", "Healthcare", "Manufacturing", "Retail", "Education"]
HISTORY_SIZES = [CompanySize.SMALL, CompanySize.MEDIUM, CompanySize.MEDIUM, CompanySize.LARGE, CompanySize.LARGE,
                 CompanySize.ENTERPRISE]  # fmt: skip
HISTORY_TITLES = ["VP Sales", "Head of Revenue Operations", "Director of Marketing", "CRO", "Head of Growth"]
FIRST_NAMES = ["Alex", "Bea", "Chen", "Dara", "Eli", "Farah", "Gus", "Hana", "Ivo", "Jun", "Kai", "Lia", "Milo",
               "Nora", "Otto", "Pia", "Quinn", "Rui", "Sana", "Teo"]  # fmt: skip
LAST_NAMES = ["Abbott", "Berg", "Costa", "Dunn", "Eklund", "Fox", "Greco", "Holm", "Ito", "Jansen", "Keller",
              "Lund", "Moreau", "Nagy", "Olsen", "Park", "Quist", "Rossi", "Stone", "Tanaka"]  # fmt: skip
COMPANY_WORDS = ["Apex", "Birch", "Cobalt", "Delta", "Ember", "Fathom", "Granite", "Harbor", "Iris", "Juniper",
                 "Kite", "Lumen", "Meridian", "North", "Onyx", "Pioneer", "Quartz", "Riverside", "Summit",
                 "Tidal"]  # fmt: skip
COMPANY_SUFFIXES = ["Labs", "Logistics", "Health", "Systems", "Retail", "Capital", "Works", "Group"]

# Playbook assets marketing writes for each open stage (title, link).
ASSETS = {
    "discovery": [("Customer story: Northwind cut lead response to 9 minutes", "https://leadflow.example/stories/northwind"),
                  ("2-minute product tour (video)", "https://leadflow.example/tour")],
    "qualification": [("ROI calculator", "https://leadflow.example/roi-calculator"),
                      ("Security overview (PDF)", "https://leadflow.example/security.pdf")],
    "proposal": [("Implementation plan template", "https://leadflow.example/implementation-plan")],
    "negotiation": [("Reference call list", "https://leadflow.example/references")],
}  # fmt: skip
# How often reps send each asset to deals that end up won, and to the others: the
# playbook page then shows which assets go with deals that move on.
ASSET_PULL = {"ROI calculator": (0.9, 0.3), "Reference call list": (0.8, 0.4)}
EXIT_CRITERIA = {
    "discovery": "The buyer named the problem, who feels it and what it costs them today.",
    "qualification": "Budget range, decision maker and a timeline confirmed in writing.",
    "proposal": "Proposal sent and walked through with the decision maker.",
    "negotiation": "Security review passed; contract terms agreed by both legal teams.",
}
