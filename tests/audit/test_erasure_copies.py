"""Erasing a person reaches the copies the project keeps of them: Django's admin log (the names
of their lead and deal, and what an admin wrote about them) and the outbox (mail to them, and
mail that names them)."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.admin.models import ADDITION, CHANGE, LogEntry
from django.core.mail import EmailMultiAlternatives
from django.db import connection

from handoff import services as handoff_services
from handoff.models import Handoff
from leadflow.outbox import delivery
from leadflow.outbox.erasure import mention_pattern
from leadflow.outbox.models import OutboundEmail
from marketing import services as marketing_services
from marketing.models import Lead
from sales.models import Deal
from tests import factories
from tests.conftest import logged_in

pytestmark = pytest.mark.django_db

EMAIL = "Ada.Byron@Engines.example"
PHONE = "+44 20 7946 0958"
# Strings only Ada's data holds: afterwards neither table may contain one, in any case.
NEEDLES = ["byron", "engines.example", "7946 0958"]
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _outbox(settings):
    settings.MAILERS = {
        "default": {"BACKEND": "leadflow.outbox.backend.OutboxBackend"},
        "delivery": {"BACKEND": LOCMEM, "OPTIONS": {}},
    }


@pytest.fixture
def ada(rep) -> Lead:
    lead = factories.capture(EMAIL, first_name="Ada", last_name="Byron", phone=PHONE, company="")
    handoff = factories.offered(lead)
    handoff_services.accept_offer(handoff_id=handoff.pk, by=rep)
    return Lead.objects.get(pk=lead.pk)


@pytest.fixture
def grace(db) -> Lead:
    return factories.capture("grace@navy.example", first_name="Grace", last_name="Hopper")


def ada_deal(ada: Lead) -> Deal:
    return Deal.objects.get(pk=Handoff.objects.get(lead=ada).deal_id)


def log(user, obj, action: int, message, repr_: str | None = None) -> LogEntry:
    """An admin log entry as the admin writes one (its JSON change message, or free text)."""
    entry = LogEntry.objects.log_actions(
        user_id=user.pk,
        queryset=[obj],
        action_flag=action,
        change_message=json.dumps(message) if isinstance(message, list) else message,
        single_object=True,
    )
    if repr_ is not None:
        LogEntry.objects.filter(pk=entry.pk).update(object_repr=repr_)
        entry.refresh_from_db()
    return entry


def sent(email: OutboundEmail) -> OutboundEmail:
    assert delivery.deliver(email_id=email.pk)
    email.refresh_from_db()
    return email


def mail(subject: str, body: str, to: list[str], *, html: str = "") -> OutboundEmail:
    message = EmailMultiAlternatives(subject, body, None, to)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()
    return OutboundEmail.objects.latest("pk")


def mentions(*, besides: tuple[int, ...] = (0,)) -> list[str]:
    """Every cell of the admin log and the outbox that holds one of NEEDLES (but in the
    look-alike messages `besides`, which are about other people)."""
    found = []
    not_in = f" WHERE id NOT IN ({', '.join(['%s'] * len(besides))})"
    for table, where in (("django_admin_log", ""), ("outbox_outboundemail", not_in)):
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}{where}", list(besides) if where else [])  # our table names
            columns = [column[0] for column in cursor.description]  # SQLite's are plain tuples
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    text = json.dumps(value, default=str, ensure_ascii=False).casefold()
                    found += [f"{table}.{column}: {needle}" for needle in NEEDLES if needle in text]
    return found


def erase_through_the_pages(user, lead: Lead):
    client = logged_in(user)
    page = BeautifulSoup(client.get(lead.get_absolute_url()).content, "html.parser")
    confirm_url = page.find("a", string="Erase this person")["href"]
    form = (
        BeautifulSoup(client.get(confirm_url).content, "html.parser")
        .find("input", attrs={"name": "confirm"})
        .find_parent("form")
    )
    data = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    return client.post(form.get("action") or confirm_url, {**data, "confirm": EMAIL})


def test_erasing_a_person_scrubs_the_admin_log_and_the_outbox_and_leaves_the_rest(
    marketer, admin_user, rep, ada, grace, campaign
):
    deal = ada_deal(ada)
    # The admin log: her lead (with an inline row named after her), her deal (free text), a
    # campaign whose message names her, and Grace's lead, which must not change.
    about_lead = log(
        admin_user,
        ada,
        CHANGE,
        [{"changed": {"fields": ["Phone"]}}, {"added": {"name": "touchpoint", "object": "Call with Ada Byron"}}],
    )
    about_deal = log(admin_user, deal, CHANGE, f"Called Ada Byron on {PHONE}, wrote to {EMAIL.lower()}")
    naming = log(admin_user, campaign, CHANGE, [{"changed": {"fields": ["Name"]}}], repr_="Dinner with ADA BYRON")
    unrelated = log(admin_user, grace, ADDITION, [{"added": {}}])
    # The outbox: mail to her (one sent, one waiting), a rep's waiting reminder and a sent one
    # that name her, and mail about someone else.
    to_her_sent = sent(mail("Your guide", "Hello Ada, here is your guide.", [f"Ada Byron <{EMAIL}>"]))
    to_her_waiting = mail("Confirm your address", "One click left.", [EMAIL.upper()])
    reminder = mail(
        "Reminder: call Ada Byron (10:00)",
        f"Call: Ada Byron\nPhone: {PHONE}\nDeal: Ada Byron",
        [rep.email],
        html="<p>Call <b>Ada Byron</b> at <a href='mailto:ada.byron@engines.example'>her address</a></p>",
    )
    naming_sent = sent(mail("Reminder: call Ada Byron", "Call Ada Byron.", [rep.email]))
    about_grace = mail("Reminder: call Grace Hopper", "Call Grace Hopper. Ada Byronson says hello.", [rep.email])
    lookalike = mail("Welcome", "Hello", ["mary.ada.byron@engines.example.org"])
    untouched = {
        "log": list(LogEntry.objects.filter(pk=unrelated.pk).values()),
        "mail": list(OutboundEmail.objects.filter(pk__in=[about_grace.pk, lookalike.pk]).order_by("pk").values()),
    }
    lookalikes = (about_grace.pk, lookalike.pk)
    assert len(mentions(besides=lookalikes)) > 10  # the scan sees her before

    response = erase_through_the_pages(marketer, ada)

    assert response.status_code == 303
    assert mentions(besides=lookalikes) == []
    # The admin log keeps every entry, with who, when and which fields.
    assert LogEntry.objects.count() == 4
    about_lead.refresh_from_db()
    assert about_lead.object_repr == f"Lead #{ada.pk} (erased)"
    assert json.loads(about_lead.change_message) == [
        {"changed": {"fields": ["Phone"]}},
        {"added": {"name": "touchpoint", "object": "(erased)"}},
    ]
    assert (about_lead.user_id, about_lead.action_flag) == (admin_user.pk, CHANGE)
    about_deal.refresh_from_db()
    assert about_deal.object_repr == f"Deal #{deal.pk} (erased)"
    assert about_deal.change_message == "(erased)"
    naming.refresh_from_db()
    assert naming.object_repr == "Dinner with (erased)"
    assert json.loads(naming.change_message) == [{"changed": {"fields": ["Name"]}}]
    assert list(LogEntry.objects.filter(pk=unrelated.pk).values()) == untouched["log"]
    # The outbox: mail to her and sent copies naming her are gone; the rep's reminder still
    # goes, without her; nobody else's mail changed.
    remaining = set(OutboundEmail.objects.values_list("pk", flat=True))
    assert remaining == {reminder.pk, about_grace.pk, lookalike.pk}
    assert not {to_her_sent.pk, to_her_waiting.pk, naming_sent.pk} & remaining
    reminder.refresh_from_db()
    assert (reminder.state, reminder.to) == (OutboundEmail.State.PENDING, [rep.email])
    assert reminder.subject == "Reminder: call (erased) (10:00)"
    assert reminder.body == "Call: (erased)\nPhone: (erased)\nDeal: (erased)"
    assert "(erased)" in reminder.html_body
    assert (
        list(OutboundEmail.objects.filter(pk__in=[about_grace.pk, lookalike.pk]).order_by("pk").values())
        == (untouched["mail"])
    )
    # Grace's own lead is as it was.
    assert Lead.objects.get(pk=grace.pk).display_name == "Grace Hopper"


def test_an_admin_log_entry_about_her_merged_duplicate_loses_her_address_too(marketer, admin_user, ada):
    duplicate = factories.capture("ada@home.example", first_name="Ada", last_name="Byron", phone="")
    marketing_services.merge_leads(keep_id=ada.pk, duplicate_id=duplicate.pk)
    entry = log(admin_user, duplicate, CHANGE, "Merged ada@home.example into Ada Byron's lead")

    assert erase_through_the_pages(marketer, ada).status_code == 303

    entry.refresh_from_db()
    assert entry.object_repr == f"Lead #{duplicate.pk} (erased)"
    assert entry.change_message == "(erased)"
    assert not LogEntry.objects.filter(change_message__icontains="ada@home.example").exists()


def test_a_refused_erasure_changes_neither_the_admin_log_nor_the_outbox(marketer, admin_user, rep, ada):
    entry = log(admin_user, ada, CHANGE, "Called Ada Byron")
    waiting = mail("Reminder: call Ada Byron", "Call Ada Byron.", [rep.email])
    before = (list(LogEntry.objects.values()), list(OutboundEmail.objects.values()))

    client = logged_in(marketer)
    page = BeautifulSoup(client.get(ada.get_absolute_url()).content, "html.parser")
    response = client.post(page.find("a", string="Erase this person")["href"], {"confirm": "someone@else.example"})

    assert response.status_code == 400
    assert (list(LogEntry.objects.values()), list(OutboundEmail.objects.values())) == before
    assert LogEntry.objects.get(pk=entry.pk).object_repr == "Ada Byron"
    assert OutboundEmail.objects.get(pk=waiting.pk).subject == "Reminder: call Ada Byron"


@pytest.mark.parametrize(
    ("text", "after"),
    [
        ("Write to ada.byron@engines.example.", "Write to (erased)."),
        ("Write to mary.ada.byron@engines.example", "Write to mary.ada.byron@engines.example"),
        ("Write to ada.byron@engines.example.org", "Write to ada.byron@engines.example.org"),
        ("ADA BYRON called", "(erased) called"),
        ("Ada Byronson called", "Ada Byronson called"),
        ("<b>Ada Byron</b>", "<b>(erased)</b>"),
    ],
)
def test_a_mention_is_matched_whole_and_in_any_case(text, after):
    assert mention_pattern(["ada.byron@engines.example", "Ada Byron"]).sub("(erased)", text) == after
