"""The shapes the generated data follows, read from the public data sets in shared/data.

Each reader takes what it needs from one file (see shared/data/PROVENANCE.md) and falls
back to a small built-in summary of the same file when it is missing, so the generator
also runs on a machine without the data folder. The fallbacks were measured from those
files; the two paths give the same kind of data, only coarser.
"""

import csv
import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

# X Education's "Lead Source" values mapped onto our channels. Olark is an on-site chat
# (content), Welingak and WeLearn are partner sites, "Reference" is a customer referral.
SOURCE_CHANNELS = {
    "google": "paid_search",
    "bing": "paid_search",
    "pay per click ads": "paid_search",
    "direct traffic": "direct",
    "olark chat": "content",
    "live chat": "content",
    "blog": "content",
    "press_release": "content",
    "organic search": "organic_search",
    "reference": "referral",
    "referral sites": "referral",
    "welingak website": "partner",
    "welearn": "partner",
    "welearnblog_home": "partner",
    "facebook": "paid_social",
    "social media": "social",
    "youtubechannel": "social",
    "nc_edm": "email",
}


@dataclass
class Shapes:
    """Everything the generator samples from; `origin` says which files were read."""

    # channel → (share of leads captured through it, relative conversion propensity)
    sources: dict[str, tuple[float, float]]
    # cost per lead of one ad, dollars (KAG ads with at least one conversion)
    cost_per_lead: list[float]
    # contacts per person in one campaign (UCI "campaign"), as count → frequency
    contacts: dict[int, int]
    won_values: list[float]
    won_cycle_days: list[int]
    lost_cycle_days: list[int]
    # deal stage mix of the CRM snapshot: Won, Lost, Engaging, Prospecting
    stage_mix: dict[str, int]
    products: list[tuple[str, float, int]]  # name, list price, number of deals
    companies: list[tuple[str, str, int, str]]  # name, industry, employees, domain
    countries: list[tuple[str, int]]
    agents: list[str]
    managers: list[str]
    regions: list[str]
    overall_conversion: float = 0.385
    origin: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=4)
def load(folder: Path | None) -> Shapes:
    """Read every shape from `folder` where the file exists, else use the built-in summary.

    Remembered per folder (reading the bank file alone takes half a second); the generator
    only reads the shapes, never changes them.
    """
    shapes = Shapes(
        sources=dict(FALLBACK_SOURCES),
        cost_per_lead=list(FALLBACK_CPL),
        contacts=dict(FALLBACK_CONTACTS),
        won_values=list(FALLBACK_WON_VALUES),
        won_cycle_days=list(FALLBACK_WON_CYCLES),
        lost_cycle_days=list(FALLBACK_LOST_CYCLES),
        stage_mix=dict(FALLBACK_STAGE_MIX),
        products=list(FALLBACK_PRODUCTS),
        companies=list(FALLBACK_COMPANIES),
        countries=list(FALLBACK_COUNTRIES),
        agents=list(FALLBACK_AGENTS),
        managers=list(FALLBACK_MANAGERS),
        regions=list(FALLBACK_REGIONS),
    )
    if folder is None or not folder.is_dir():
        shapes.origin.append("built-in fallback (no data folder)")
        return shapes
    for reader in (_leads, _ads, _bank, _pipeline, _teams, _companies):
        try:
            name = reader(folder, shapes)
        except (OSError, KeyError, ValueError, csv.Error) as error:
            shapes.origin.append(f"{reader.__name__.strip('_')}: fallback ({error.__class__.__name__})")
        else:
            shapes.origin.append(name)
    return shapes


def _rows(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def _leads(folder: Path, shapes: Shapes) -> str:
    rows = _rows(folder / "x_education_leads.csv")
    seen, converted = Counter(), Counter()
    for row in rows:
        channel = SOURCE_CHANNELS.get(row["Lead Source"].strip().lower(), "other")
        seen[channel] += 1
        converted[channel] += row["Converted"] == "1"
    total = sum(seen.values())
    shapes.overall_conversion = sum(converted.values()) / total
    sources = {channel: (n / total, converted[channel] / n) for channel, n in seen.items() if n >= 20}
    # Campaign-driven channels X Education does not have get their propensity from the
    # bank-marketing responses (scaled to this file's overall rate) in _bank.
    shapes.sources = {**{k: v for k, v in shapes.sources.items() if k not in sources}, **sources}
    shapes.countries = Counter(row["Country"] for row in rows if row["Country"].strip()).most_common(15)
    return "x_education_leads.csv"


def _ads(folder: Path, shapes: Shapes) -> str:
    rows = _rows(folder / "ad_campaigns" / "KAG_conversion_data.csv")
    costs = [
        float(row["Spent"]) / int(row["Total_Conversion"])
        for row in rows
        if int(row["Total_Conversion"]) > 0 and float(row["Spent"]) > 0
    ]
    if costs:
        shapes.cost_per_lead = costs
    return "ad_campaigns/KAG_conversion_data.csv"


def _bank(folder: Path, shapes: Shapes) -> str:
    rows = _rows(folder / "uci_bank_marketing" / "bank-additional-full.csv", delimiter=";")
    shapes.contacts = dict(Counter(min(int(row["campaign"]), 20) for row in rows))

    def rate(match) -> float:
        chosen = [row for row in rows if match(row)]
        return sum(row["y"] == "yes" for row in chosen) / max(len(chosen), 1)

    overall = rate(lambda row: True)
    scale = shapes.overall_conversion / overall
    share = {"email": 0.05, "webinar": 0.04, "event": 0.03}
    propensity = {
        "email": overall * scale,
        "webinar": rate(lambda row: row["contact"] == "cellular") * scale,
        "event": rate(lambda row: row["poutcome"] == "failure") * scale,
    }
    for channel, value in propensity.items():
        if channel not in shapes.sources or shapes.sources[channel][0] < 0.01:
            shapes.sources[channel] = (share[channel], value)
    return "uci_bank_marketing/bank-additional-full.csv"


def _pipeline(folder: Path, shapes: Shapes) -> str:
    from datetime import date

    base = folder / "crm_sales_opportunities"
    rows = _rows(base / "sales_pipeline.csv")
    shapes.stage_mix = dict(Counter(row["deal_stage"] for row in rows))
    shapes.won_values = [float(row["close_value"]) for row in rows if row["deal_stage"] == "Won"]

    def cycles(stage: str) -> list[int]:
        return [
            (date.fromisoformat(row["close_date"]) - date.fromisoformat(row["engage_date"])).days
            for row in rows
            if row["deal_stage"] == stage and row["close_date"] and row["engage_date"]
        ]

    shapes.won_cycle_days, shapes.lost_cycle_days = cycles("Won"), cycles("Lost")
    prices = {row["product"].replace(" ", ""): float(row["sales_price"]) for row in _rows(base / "products.csv")}
    # The pipeline spells "GTXPro" where products.csv says "GTX Pro": compare without spaces.
    counts = Counter(row["product"] for row in rows)
    shapes.products = [
        (name, prices[name.replace(" ", "")], n) for name, n in counts.items() if name.replace(" ", "") in prices
    ]
    return "crm_sales_opportunities/"


def _teams(folder: Path, shapes: Shapes) -> str:
    rows = _rows(folder / "crm_sales_opportunities" / "sales_teams.csv")
    shapes.agents = [row["sales_agent"] for row in rows]
    shapes.managers = list(dict.fromkeys(row["manager"] for row in rows))
    shapes.regions = list(dict.fromkeys(row["regional_office"] for row in rows))
    return "crm_sales_opportunities/sales_teams.csv"


def _companies(folder: Path, shapes: Shapes) -> str:
    companies = []
    for row in _rows(folder / "b2b_companies" / "inc5000_2019.csv"):
        domain = _domain(row["url"])
        if row["name"] and domain:
            companies.append((row["name"][:200], row["_ - industry"][:100], int(row["_ - workers"] or 0), domain))
    for row in _rows(folder / "b2b_companies" / "fortune1000_2021.csv"):
        domain = _domain(row["Website"])
        employees = int(float(row["num. of employees"] or 0))
        if row["company"] and domain:
            companies.append((row["company"][:200], row["sector"][:100], employees, domain))
    if companies:
        shapes.companies = companies
    return "b2b_companies/"


def _domain(url: str) -> str:
    host = re.sub(r"^https?://", "", url.strip().lower()).split("/")[0]
    return host.removeprefix("www.")


def company_size(employees: int) -> str:
    """The CompanySize band (marketing.models.CompanySize values) for a head count."""
    for limit, band in ((10, "1-10"), (50, "11-50"), (200, "51-200"), (1000, "201-1000"), (5000, "1001-5000")):
        if employees <= limit:
            return band
    return "5001+"


# --- Built-in summaries of the same files (used only when a file is missing) ----------
FALLBACK_SOURCES = {
    "paid_search": (0.311, 0.40),
    "direct": (0.275, 0.322),
    "content": (0.190, 0.255),
    "organic_search": (0.125, 0.378),
    "referral": (0.071, 0.78),
    "partner": (0.015, 0.98),
    "paid_social": (0.006, 0.236),
    "email": (0.05, 0.385),
    "webinar": (0.04, 0.50),
    "event": (0.03, 0.48),
}
FALLBACK_CPL = [1.48, 3.05, 5.39, 8.58, 11.95, 16.29, 22.18, 32.28, 46.6, 60.0]
FALLBACK_CONTACTS = {1: 17642, 2: 10570, 3: 5341, 4: 2651, 5: 1599, 6: 979, 7: 629, 8: 400, 9: 283, 10: 225}
FALLBACK_WON_VALUES = [55.9, 458.0, 550.0, 660.6, 1117.0, 3203.0, 3824.4, 4759.2, 5285.8, 6500.0]
FALLBACK_WON_CYCLES = [4, 7, 9, 13, 45, 67, 79, 91, 104, 120]
FALLBACK_LOST_CYCLES = [3, 6, 9, 12, 40, 62, 75, 88, 100, 118]
FALLBACK_STAGE_MIX = {"Won": 4238, "Lost": 2473, "Engaging": 1589, "Prospecting": 500}
FALLBACK_PRODUCTS = [
    ("GTX Basic", 550.0, 1866),
    ("MG Special", 55.0, 1651),
    ("GTX Pro", 4821.0, 1480),
    ("MG Advanced", 3393.0, 1412),
    ("GTX Plus Basic", 1096.0, 1383),
    ("GTX Plus Pro", 5482.0, 968),
    ("GTK 500", 26768.0, 40),
]
FALLBACK_COMPANIES = [
    ("Freestar", "Advertising & Marketing", 40, "freestar.com"),
    ("FreightWise", "Logistics & Transportation", 39, "freightwisellc.com"),
    ("Acme Analytics", "Software", 120, "acme-analytics.example"),
    ("Northwind Health", "Health", 850, "northwind-health.example"),
    ("Contoso Financial", "Financial Services", 2400, "contoso-financial.example"),
    ("Fabrikam Builders", "Construction", 65, "fabrikam.example"),
    ("Globex Retail", "Retail", 7800, "globex.example"),
    ("Initech IT", "IT Management", 30, "initech.example"),
]
FALLBACK_COUNTRIES = [("India", 6492), ("United States", 69), ("United Arab Emirates", 53), ("Singapore", 24)]
FALLBACK_AGENTS = [
    "Moses Frase", "Darcel Schlecht", "Anna Snelling", "Cecily Lampkin", "Versie Hillebrand",
    "Lajuana Vencill", "Violet Mclelland", "Corliss Cosme", "Rosie Papadopoulos", "Garret Kinder",
]  # fmt: skip
FALLBACK_MANAGERS = ["Dustin Brinkmann", "Melvin Marxen", "Cara Losch", "Rocco Neubert", "Summer Sewald"]
FALLBACK_REGIONS = ["Central", "East", "West"]
