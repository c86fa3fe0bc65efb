"""Activities and notes on a deal, and the reminder emails for due activities."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from sales import services
from sales.models import Activity, Deal, Note
from tests.sales.helpers import logged_in, open_deal_for

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def deal(rep):
    return open_deal_for(rep, contact_name="Ada Lovelace")


def soon(minutes: int = 10) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(minutes=minutes)


# --- logging and scheduling ---------------------------------------------------------------


def test_logging_a_call_as_done_records_it_for_the_owner_and_touches_the_deal(rep, deal):
    Deal.objects.filter(pk=deal.pk).update(last_activity_at=timezone.now() - datetime.timedelta(days=30))
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="  Discovery call ", done=True)
    assert (activity.kind, activity.subject, activity.owner, activity.done_by) == ("call", "Discovery call", rep, rep)
    assert activity.done_at is not None and activity.due_at == activity.done_at
    assert Deal.objects.get(pk=deal.pk).last_activity_at >= activity.done_at
    assert Deal.objects.get(pk=deal.pk).version == 1  # not an edit of the deal: no conflict with one


def test_a_manager_schedules_a_task_that_lands_on_the_deal_owners_list(rep, manager, deal):
    activity = services.log_activity(deal_id=deal.pk, by=manager, kind="task", subject="Send contract", due_at=soon())
    assert (activity.owner, activity.created_by, activity.done_at) == (rep, manager, None)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "fax"}, "kind"),
        ({"subject": ""}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"subject": "x" * 201}, "subject"),
        ({"details": "x" * 5001}, "details"),
        ({"due_at": None}, "due_at"),
    ],
)
def test_a_bad_activity_is_refused_naming_the_field(rep, deal, changes, field):
    values = {"kind": "call", "subject": "Call", "due_at": soon(), **changes}
    with pytest.raises(ValidationError) as error:
        services.log_activity(deal_id=deal.pk, by=rep, **values)
    assert field in error.value.message_dict
    assert not Activity.objects.exists()


def test_marking_an_activity_done_twice_keeps_the_first_completion(rep, manager, deal):
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call", due_at=soon())
    first = services.complete_activity(activity_id=activity.pk, by=rep)
    again = services.complete_activity(activity_id=activity.pk, by=manager)
    assert (again.done_at, again.done_by) == (first.done_at, rep)


def test_the_deal_page_logs_a_call_in_place(rep, deal):
    response = logged_in(rep).post(
        reverse("sales:activity-add", args=[deal.pk]),
        {"kind": "call", "subject": "Intro call", "details": "Wants pricing", "action": "done"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert 'id="activities-panel"' in response.text and "<html" not in response.text
    assert "Logged: call “Intro call”." in response.text
    assert Activity.objects.get().details == "Wants pricing"


def test_scheduling_without_a_due_time_is_a_bad_request_that_says_why(rep, deal):
    response = logged_in(rep).post(
        reverse("sales:activity-add", args=[deal.pk]),
        {"kind": "task", "subject": "Send it", "action": "schedule"},
        headers=HTMX,
    )
    assert response.status_code == 400
    assert "Give a due date, or log it as done." in response.text
    assert not Activity.objects.exists()


def test_without_javascript_a_bad_activity_shows_the_page_with_the_error(rep, deal):
    response = logged_in(rep).post(
        reverse("sales:activity-add", args=[deal.pk]), {"kind": "call", "subject": "", "action": "done"}
    )
    assert response.status_code == 400
    assert "<html" in response.text and "This field is required." in response.text


def test_scheduling_a_meeting_with_a_due_time(rep, deal):
    due = (timezone.localtime() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    response = logged_in(rep).post(
        reverse("sales:activity-add", args=[deal.pk]),
        {"kind": "meeting", "subject": "Demo", "due_at": due.strftime("%Y-%m-%dT%H:%M"), "action": "schedule"},
    )
    assert response.status_code == 303
    activity = Activity.objects.get()
    assert (activity.kind, activity.due_at, activity.done_at) == ("meeting", due, None)


def test_marking_done_from_the_page_swaps_the_row(rep, deal):
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="email", subject="Send deck", due_at=soon())
    response = logged_in(rep).post(reverse("sales:activity-done", args=[activity.pk]), headers=HTMX)
    assert response.status_code == 200
    assert f'id="activity-{activity.pk}"' in response.text and "Done" in response.text
    assert Activity.objects.get().done_at is not None


@pytest.mark.parametrize("persona", ["teammate", "stranger"])
def test_someone_elses_deal_takes_no_activities_or_notes_and_its_activities_cannot_be_completed(
    request, rep, deal, persona
):
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Mine", due_at=soon())
    client = logged_in(request.getfixturevalue(persona))
    assert (
        client.post(
            reverse("sales:activity-add", args=[deal.pk]), {"kind": "call", "subject": "x", "action": "done"}
        ).status_code
        == 404
    )
    assert client.post(reverse("sales:note-add", args=[deal.pk]), {"body": "x"}).status_code == 404
    assert client.post(reverse("sales:activity-done", args=[activity.pk])).status_code == 404
    assert (Activity.objects.count(), Note.objects.count(), Activity.objects.get().done_at) == (1, 0, None)


def test_a_marketer_cannot_log_activities(marketer, deal):
    response = logged_in(marketer).post(
        reverse("sales:activity-add", args=[deal.pk]), {"kind": "call", "subject": "x", "action": "done"}
    )
    assert response.status_code == 403
    assert not Activity.objects.exists()


def test_next_after_marking_done_never_leaves_the_site(rep, deal):
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="x", due_at=soon())
    response = logged_in(rep).post(
        reverse("sales:activity-done", args=[activity.pk]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("sales:deal-detail", args=[deal.pk])


# --- notes ----------------------------------------------------------------------------------


def test_a_note_is_added_in_place_and_shown_as_text(rep, deal):
    response = logged_in(rep).post(
        reverse("sales:note-add", args=[deal.pk]), {"body": "<b>Champion</b> is the VP"}, headers=HTMX
    )
    assert response.status_code == 200
    assert "&lt;b&gt;Champion&lt;/b&gt; is the VP" in response.text
    assert (Note.objects.get().author, Note.objects.get().body) == (rep, "<b>Champion</b> is the VP")


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_an_empty_or_oversized_note_is_refused(rep, deal, body):
    response = logged_in(rep).post(reverse("sales:note-add", args=[deal.pk]), {"body": body}, headers=HTMX)
    assert response.status_code == 400
    assert not Note.objects.exists()


# --- reminders ------------------------------------------------------------------------------


def test_a_due_activity_gets_one_reminder_email_however_often_the_sweep_runs(rep, deal, settings):
    settings.LEADFLOW_REMINDER_LEAD_MINUTES = 15
    activity = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call Ada", due_at=soon(10))
    assert services.send_due_reminders() == 1
    assert services.send_due_reminders() == 0
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [rep.email]
    assert "Call Ada" in message.subject
    assert f"/sales/deals/{deal.pk}/" in message.body
    assert Activity.objects.get(pk=activity.pk).reminded_at is not None


def test_no_reminder_for_later_done_or_long_past_activities(rep, deal):
    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Next week", due_at=soon(60 * 24 * 7))
    done = services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Done", due_at=soon(5))
    services.complete_activity(activity_id=done.pk, by=rep)
    services.log_activity(deal_id=deal.pk, by=rep, kind="task", subject="Ancient", due_at=soon(-60 * 24 * 3))
    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Logged", done=True)
    assert services.send_due_reminders() == 0
    assert mail.outbox == []


def test_the_reminder_comes_when_the_activity_gets_close(rep, deal):
    services.log_activity(deal_id=deal.pk, by=rep, kind="meeting", subject="Demo", due_at=soon(120))
    assert services.send_due_reminders() == 0
    assert services.send_due_reminders(now=timezone.now() + datetime.timedelta(minutes=110)) == 1


def test_a_reminder_that_could_not_be_sent_is_tried_again(rep, deal, monkeypatch):
    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call", due_at=soon(5))
    from sales.services import activities

    def mail_server_down(*args, **kwargs):
        raise ConnectionRefusedError("SMTP down")

    monkeypatch.setattr(activities, "send_mail", mail_server_down)
    assert services.send_due_reminders() == 0
    assert Activity.objects.get().reminded_at is None
    monkeypatch.undo()
    assert services.send_due_reminders() == 1
    assert len(mail.outbox) == 1


def test_a_subject_with_line_breaks_cannot_inject_headers(rep, deal):
    Activity.objects.create(
        deal=deal, owner=rep, kind="task", subject="Hi\r\nBcc: everyone@example.com", due_at=soon(5)
    )
    assert services.send_due_reminders() == 1
    assert "\n" not in mail.outbox[0].subject and mail.outbox[0].bcc == []


def test_the_beat_task_runs_the_sweep(rep, deal):
    from sales import tasks

    services.log_activity(deal_id=deal.pk, by=rep, kind="call", subject="Call", due_at=soon(5))
    assert tasks.send_due_reminders.run() == 1  # the body, without the worker's connection handling
