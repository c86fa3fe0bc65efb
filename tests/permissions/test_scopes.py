"""Lists show only your scope: on each list page and API list, exactly the people each persona may see.

The matrix test proves nobody sees a person outside their scope anywhere; this one proves the
other half on the lists that matter, so that the first can never pass by showing nobody at all.
"""

import pytest
from django.urls import reverse

from .world import MARKERS, TOKEN_NAME

QUENBY, YSOLDE, THADDEUS, PERPETUA, WENDELINE, IGNATIA = (
    MARKERS[key] for key in ("rep_offer", "rep_lead", "rep_closed", "other_offer", "other_lead", "fresh_lead")
)
EVERYONE = {QUENBY, YSOLDE, THADDEUS, PERPETUA, WENDELINE, IGNATIA}

# Leads: marketing and admins all; a salesperson the leads they own; a manager the team's
# reps' leads and every lead handed to the team (Thaddeus' deal was lost: his lead went back
# to marketing, but it was handed to Inside Sales).
LEADS = {
    "marketer": EVERYONE,
    "rep": {YSOLDE},
    "teammate": set(),
    "stranger": {WENDELINE},
    "manager": {QUENBY, YSOLDE, THADDEUS},
    "other_manager": {PERPETUA, WENDELINE},
    "admin": EVERYONE,
}
DEALS = {
    "rep": {YSOLDE, THADDEUS},
    "teammate": set(),
    "stranger": {WENDELINE},
    "manager": {YSOLDE, THADDEUS},
    "other_manager": {WENDELINE},
    "admin": {YSOLDE, THADDEUS, WENDELINE},
}
OPEN_DEALS = {persona: names - {THADDEUS} for persona, names in DEALS.items()}
OFFERS = {
    "rep": {QUENBY},
    "teammate": set(),
    "stranger": {PERPETUA},
    "manager": {QUENBY},
    "other_manager": {PERPETUA},
    "admin": {QUENBY, PERPETUA},
}
LISTS = {
    "marketing:lead-list": LEADS,
    "marketing:lead-export": {p: LEADS[p] for p in ("marketer", "manager", "other_manager", "admin")},
    "sales:deal-list": DEALS,
    "sales:board": OPEN_DEALS,
    "handoff:inbox": OFFERS,
    "sales-api:deal-list": {**DEALS, "token": DEALS["rep"]},
    "handoff-api:offer-list": {**OFFERS, "token": OFFERS["rep"]},
    # What Sam and Stan accepted, as the audit log names it: a manager reads their team's entries;
    # an admin everyone's, also what the system wrote (captures, routing).
    "audit:entries": {"manager": {YSOLDE}, "other_manager": {WENDELINE}, "admin": EVERYONE},
}


def _cases():
    for name, scopes in LISTS.items():
        for persona, names in scopes.items():
            # The audit log is recorded by PostgreSQL's triggers; on SQLite it is empty (docs/AUDIT.md).
            marks = [pytest.mark.postgres] if name == "audit:entries" else []
            yield pytest.param(name, persona, names, id=f"{name} | {persona}", marks=marks)


@pytest.mark.parametrize(("name", "persona", "names"), list(_cases()))
def test_a_list_shows_each_persona_exactly_the_people_in_their_scope(cast, db, name, persona, names):
    response = cast.client(persona).get(reverse(name))

    assert response.status_code == 200
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    assert {marker for marker in EVERYONE if marker in raw.decode()} == names


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("rep", True), ("manager", True), ("teammate", False), ("other_manager", False), ("marketer", False)],
)
def test_a_salespersons_api_token_is_listed_for_them_and_their_manager_only(cast, db, persona, sees):
    response = cast.client(persona).get(reverse("accounts:tokens"))

    assert response.status_code == 200
    assert (TOKEN_NAME in response.content.decode()) is sees
