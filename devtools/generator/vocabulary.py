"""The words and mixes generated rows are made of: names, titles, channels, reasons."""

MINUTE = 60

FIRST_NAMES = [
    "Ada", "Ben", "Carla", "Dev", "Elena", "Femi", "Grace", "Hiro", "Isla", "Jonas", "Kemi", "Luca", "Maya",
    "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yara", "Zane", "Amir",
    "Beatriz", "Chen", "Dana", "Emeka", "Farah", "Gustavo", "Hana", "Ivan", "Jade", "Kofi", "Lena", "Mateo",
]  # fmt: skip
LAST_NAMES = [
    "Lovelace", "Okafor", "Schmidt", "Patel", "Nakamura", "Garcia", "Kowalski", "Andersson", "Rossi", "Dubois",
    "Mensah", "Kim", "Silva", "Novak", "Haddad", "Murphy", "Ivanova", "Costa", "Jensen", "Tanaka", "Moreau",
    "Khan", "Fischer", "Lopez", "Nguyen", "Brown", "Adeyemi", "Cohen", "Larsen", "Sato",
]  # fmt: skip
TITLES = [
    "Head of Marketing", "VP Sales", "Revenue Operations Manager", "CFO", "Sales Director", "CMO",
    "Marketing Operations Lead", "Founder", "Head of Growth", "IT Director", "Operations Manager", "CEO",
]  # fmt: skip
# What a touch through each channel is, and how its UTM parameters read.
CHANNEL_TOUCH = {
    "paid_search": ("page_view", "google", "cpc"),
    "paid_social": ("page_view", "linkedin", "paid_social"),
    "email": ("email_click", "newsletter", "email"),
    "webinar": ("webinar", "zoom", "webinar"),
    "event": ("event", "events", "event"),
    "content": ("content_download", "blog", "content"),
    "organic_search": ("page_view", "google", "organic"),
    "social": ("page_view", "twitter", "social"),
    "referral": ("form_submit", "referral", "referral"),
    "partner": ("form_submit", "partner", "partner"),
    "other": ("page_view", "outreach", "other"),
    "direct": ("page_view", "", ""),
}
# Rejection reasons with their share, and what handoff's default rules do with them
# (handoff/recycling.py): disqualify, or back to nurture with a cool-down in days.
REJECTIONS = [
    ("bad_fit", 24, "disqualify", 0),
    ("no_budget", 18, "nurture", 90),
    ("no_need", 14, "nurture", 180),
    ("bad_timing", 15, "nurture", 90),
    ("no_authority", 10, "nurture", 30),
    ("wrong_contact", 8, "nurture", 0),
    ("duplicate", 4, "disqualify", 0),
    ("spam", 3, "disqualify", 0),
    ("other", 4, "nurture", 30),
]
REASON_LABELS = {
    "bad_fit": "Bad fit",
    "no_budget": "No budget",
    "no_need": "No need",
    "bad_timing": "Bad timing",
    "no_authority": "No authority",
    "wrong_contact": "Wrong contact",
    "duplicate": "Duplicate",
    "spam": "Spam",
    "other": "Other",
}
LOST_REASONS = ["Price", "Chose a competitor", "No decision", "Timing", "Budget cut", "Missing feature"]
OPEN_STAGES = ["discovery", "qualification", "proposal", "negotiation"]
SLA_SECONDS = 240 * MINUTE
