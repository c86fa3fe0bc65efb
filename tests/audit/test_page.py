"""The audit log's pages: /audit/ for admins and sales managers (their team), the read-only admin."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django.asserts import assertContains, assertNotContains

from handoff.models import RoutingRule
from leadflow.audit.models import AuditEntry
from marketing.models import Campaign
from sales.models import Deal
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

PAGE = reverse("audit:entries")


def entry(actor, *, model=Deal, repr_: str = "Initech", **fields) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        actor_label=actor.username if actor else "",
        action=AuditEntry.Action.CHANGED,
        content_type=ContentType.objects.get_for_model(model),
        object_id="1",
        object_repr=repr_,
        changes={"amount": ["0.00", "100.00"]},
        **fields,
    )


def shown(response) -> set[str]:
    return {item.object_repr for item in response.context["entries"]}


def test_a_manager_reads_their_own_and_their_teams_entries_only(manager, rep, teammate, stranger, marketer):
    entry(rep, repr_="by sam")
    entry(teammate, repr_="by sara")
    entry(manager, repr_="by mike")
    entry(stranger, repr_="by stan of another team")
    entry(marketer, repr_="by maria")
    entry(None, repr_="deleted by a task")
    response = logged_in(manager).get(PAGE)
    assert response.status_code == 200
    assert shown(response) == {"by sam", "by sara", "by mike"}


def test_an_admin_reads_every_entry(admin_user, rep, stranger, marketer):
    for actor in (rep, stranger, marketer, None):
        entry(actor, repr_=f"by {actor or 'system'}")
    assert shown(logged_in(admin_user).get(PAGE)) == {"by sam", "by stan", "by maria", "by system"}


def test_entries_are_newest_first_and_filter_by_actor_and_object_type(manager, rep, teammate):
    entry(rep, repr_="first")
    entry(teammate, repr_="second", model=Campaign)
    entry(rep, repr_="third")
    client = logged_in(manager)
    assert [e.object_repr for e in client.get(PAGE).context["entries"]] == ["third", "second", "first"]
    assert shown(client.get(PAGE, {"actor": rep.pk})) == {"first", "third"}
    campaign_type = ContentType.objects.get_for_model(Campaign).pk
    assert shown(client.get(PAGE, {"object_type": campaign_type})) == {"second"}


def test_filtering_by_someone_outside_the_team_is_a_400(manager, stranger):
    entry(stranger)
    response = logged_in(manager).get(PAGE, {"actor": stranger.pk})
    assert response.status_code == 400
    assert not response.context["entries"]


def test_the_page_shows_who_what_and_each_change_escaped(manager, rep):
    entry(rep, repr_="<script>alert(1)</script>", source="POST /sales/board/deals/1/move/")
    response = logged_in(manager).get(PAGE)
    assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
    assertNotContains(response, "<script>alert(1)</script>")
    assertContains(response, "<dt>Amount</dt><dd>0.00 → 100.00</dd>", html=True)


def test_a_manager_reads_what_changed_in_words_not_the_request_line(manager, rep):
    entry(rep, model=RoutingRule, repr_="EMEA", source="POST /handoff/routing/3/edit/ (request 9f2c41)")
    response = logged_in(manager).get(PAGE)
    assertContains(response, "Routing rule ‘EMEA’ changed")
    assertContains(response, "in LeadFlow")
    for technical in ("POST", "/handoff/routing/3/", "9f2c41", "Request details"):
        assertNotContains(response, technical)


@pytest.mark.parametrize(
    ("source", "origin"),
    [
        ("PATCH /api/v1/deals/1/", "through the API"),
        ("POST /admin/sales/deal/1/change/", "in the admin"),
        ("task:handoff.tasks.reconcile", "by a background job"),
        ("POST /sales/board/deals/1/move/", "in LeadFlow"),
    ],
)
def test_the_page_says_where_a_change_was_made_in_words(manager, rep, source, origin):
    entry(rep, source=source)
    response = logged_in(manager).get(PAGE)
    assertContains(response, f'<div class="cell-sub">{origin}</div>', html=True)
    assertNotContains(response, source)


def test_an_admin_follows_an_entry_to_its_request_details_in_the_admin(admin_user, rep):
    entry(rep, model=RoutingRule, repr_="EMEA", source="POST /handoff/routing/3/edit/ (request 9f2c41)")
    client = logged_in(admin_user)
    page = client.get(PAGE)
    assertNotContains(page, "9f2c41")
    details = re.search(r'<a href="([^"]+)" aria-label="Request details of: [^"]*">', page.content.decode()).group(1)
    assertContains(client.get(details), "POST /handoff/routing/3/edit/ (request 9f2c41)")


def test_the_page_keeps_its_query_count_as_entries_grow(manager, rep):
    client = logged_in(manager)
    entry(rep)
    client.get(PAGE)  # content types are cached after the first page

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(PAGE).status_code == 200
        return len(captured)

    few = queries()
    for n in range(40):
        entry(rep, model=Campaign if n % 2 else Deal, repr_=f"change {n}")
    assert queries() == few


@pytest.mark.parametrize("who", ["rep", "marketer"])
def test_salespeople_and_marketers_get_a_403(request, who):
    assert logged_in(request.getfixturevalue(who)).get(PAGE).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in():
    response = Client().get(PAGE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_nav_links_the_log_for_managers_and_admins_only(manager, admin_user, rep):
    assertContains(logged_in(manager).get(PAGE), f'href="{PAGE}"')
    assertContains(logged_in(admin_user).get(reverse("home"), follow=True), f'href="{PAGE}"')
    assertNotContains(logged_in(rep).get(reverse("sales:my-day")), f'href="{PAGE}"')


# --- the admin -----------------------------------------------------------------------------------


def test_the_admin_lists_entries_read_only(admin_user, rep):
    logged = entry(rep, repr_="Initech")
    client = logged_in(admin_user)
    changelist = client.get(reverse("admin:audit_auditentry_changelist"))
    assert changelist.status_code == 200
    assert changelist.context["has_add_permission"] is False
    assertContains(changelist, "Initech")
    detail = client.get(reverse("admin:audit_auditentry_change", args=[logged.pk]))
    assert detail.status_code == 200
    assertNotContains(detail, 'name="_save"')
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(reverse("admin:audit_auditentry_delete", args=[logged.pk]), {"post": "yes"}).status_code == 403
    assert AuditEntry.objects.filter(pk=logged.pk).exists()


def test_the_admin_searches_by_object_and_actor(admin_user, rep, teammate):
    entry(rep, repr_="Initech")
    entry(teammate, repr_="Globex")
    client = logged_in(admin_user)
    changelist = reverse("admin:audit_auditentry_changelist")
    assert {e.object_repr for e in client.get(changelist, {"q": "globex"}).context["cl"].result_list} == {"Globex"}
    assert {e.object_repr for e in client.get(changelist, {"q": "sam"}).context["cl"].result_list} == {"Initech"}
