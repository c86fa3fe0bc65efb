"""Faults to survive (docs/RELIABILITY.md): nothing lost, nothing done twice.

"Nothing lost" means every 2xx capture has exactly one lead, and every lead gets each
downstream effect (score, MQL, handoff, offer) exactly once after recovery. The web app
and the worker run as real processes so that their broker can be *our* redis-server,
which these tests stop, freeze and restart; the shared Redis is never touched.
"""

import itertools
import os
import signal
import threading
import time
import uuid
from collections import Counter

import pytest
from django.db import connection, transaction

from handoff import tasks as handoff_tasks
from handoff.models import Handoff, Offer
from leadflow.celery import MAX_DELIVERIES
from leadflow.celery import app as celery_app
from marketing import tasks as marketing_tasks
from marketing.models import Lead, LeadStageChange
from marketing.models import Stage as LeadStage
from tests import factories
from tests.integration.concurrently import run_together
from tests.integration.processes import Processes, free_port, service_env
from tests.waiting import wait_until
from tests.worker import current_database_url

pytestmark = pytest.mark.django_db(transaction=True)

# Business email 10 + company 10 + senior title 20 + one API capture 10 = 50 = the MQL bar.
QUALIFYING = {"first_name": "Grace", "last_name": "Hopper", "company": "US Navy", "title": "VP Engineering"}
CAPTURE = "/api/v1/capture/"


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()


@pytest.fixture
def queue() -> str:
    return f"leadflow-faults-{uuid.uuid4().hex[:12]}"


def environment(redis, queue: str, *, database_url: str = "", **extra: str) -> dict[str, str]:
    database_url = database_url or current_database_url()
    return service_env(database_url=database_url, redis_url=redis.url, queue=queue, **extra)


def sweeping(env: dict[str, str]) -> dict[str, str]:
    """The same processes, with beat re-driving lost work every 2 s instead of every minute."""
    return {**env, "LEADFLOW_RECONCILE_SECONDS": "2", "LEADFLOW_RECONCILE_GRACE_SECONDS": "0"}


def wait_for(predicate, *, what: str, processes: Processes | None, timeout: float = 60):
    try:
        return wait_until(predicate, timeout=timeout, what=what)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{processes.logs() if processes else ''}") from None


def log_lines(process, *words: str) -> int:
    return sum(all(word in line for word in words) for line in process.log_text().splitlines())


def assert_offered_exactly_once(lead: Lead, rep, processes: Processes | None = None, *, worker=None) -> None:
    """The lead reached an offer to `rep`, and later sweeps (when beat runs) change nothing."""
    wait_for(
        lambda: Handoff.objects.filter(lead_id=lead.pk, state=Handoff.State.OFFERED).exists(),
        what=f"lead {lead.email} to be offered",
        processes=processes,
    )
    if worker is not None:
        sweeps = log_lines(worker, "handoff.tasks.reconcile[", "succeeded")
        wait_for(
            lambda: log_lines(worker, "handoff.tasks.reconcile[", "succeeded") >= sweeps + 2,
            what="two more reconciliation sweeps",
            processes=processes,
        )
    lead.refresh_from_db()
    context = f"{lead.email}\n{processes.logs() if processes else ''}"
    assert (lead.stage, lead.score) == (LeadStage.MQL, 50), context
    assert LeadStageChange.objects.filter(lead=lead, stage=LeadStage.MQL).count() == 1, context
    handoff = Handoff.objects.get(lead=lead)
    assert (handoff.state, handoff.assignee_id) == (Handoff.State.OFFERED, rep.pk), context
    assert Offer.objects.filter(handoff=handoff).count() == 1, context


# --- Redis down or hung during capture ----------------------------------------------------


@pytest.mark.redis
def test_captures_while_redis_is_down_are_saved_and_every_lead_is_offered_once_redis_is_back(
    processes, queue, rep, campaign
):
    redis = processes.redis()
    env = environment(redis, queue)
    web = processes.web(env)
    before = web.post_json(CAPTURE, {"email": "ada@analytical.example", **QUALIFYING})
    assert before.status == 202, f"{before}\n{processes.logs()}"
    assert redis.queue_length(queue) == 1  # its scoring task waits for a worker…

    redis.stop()  # …and dies with this Redis, which keeps nothing on disk
    api = web.post_json(CAPTURE, {"email": " Grace@Navy.example", **QUALIFYING})
    form = web.post_form(f"/marketing/forms/{campaign.utm_campaign}/", {"email": "mary@kenneth.example", **QUALIFYING})

    assert api.status == 202, f"{api}\n{processes.logs()}"
    assert form.status == 302 and "/thanks/" in form.headers["Location"], f"{form}\n{processes.logs()}"
    for answer in (api, form):
        assert answer.seconds < 3, f"a capture waited {answer.seconds:.1f}s on a dead broker\n{processes.logs()}"
    emails = ("ada@analytical.example", "grace@navy.example", "mary@kenneth.example")
    leads = [Lead.objects.get(email_normalized=email) for email in emails]
    assert Lead.objects.count() == 3

    redis.start()  # empty: every scoring message is gone; only the database remembers
    worker = processes.worker(sweeping(env), queue, beat=True)
    for lead in leads:
        assert_offered_exactly_once(lead, rep, processes, worker=worker)


@pytest.mark.redis
def test_a_capture_while_redis_hangs_answers_within_seconds_and_the_lead_is_offered_once(processes, queue, rep):
    redis = processes.redis()
    env = environment(redis, queue)
    web = processes.web(env)
    before = web.post_json(CAPTURE, {"email": "ada@analytical.example", **QUALIFYING})
    assert before.status == 202, f"{before}\n{processes.logs()}"

    redis.freeze()
    try:
        answer = web.post_json(CAPTURE, {"email": "grace@navy.example", **QUALIFYING})
    finally:
        redis.thaw()

    assert answer.status == 202, f"{answer}\n{processes.logs()}"
    # The cache gives up after 0.5 s and the broker after 2 s (settings.py); RELIABILITY #5
    # saw 5 s before those timeouts existed.
    assert answer.seconds < 4, f"a capture waited {answer.seconds:.1f}s on a hung broker\n{processes.logs()}"
    leads = [Lead.objects.get(email_normalized=email) for email in ("ada@analytical.example", "grace@navy.example")]
    assert Lead.objects.count() == 2

    # Whatever the frozen Redis still executes late (a publish that "timed out") and the
    # sweep's re-drive may both arrive: the effects must still land once.
    worker = processes.worker(sweeping(env), queue, beat=True)
    for lead in leads:
        assert_offered_exactly_once(lead, rep, processes, worker=worker)


# --- Duplicate delivery -------------------------------------------------------------------


def _qualifying_lead() -> Lead:
    # Business email 10 + company 10 + senior title 20 + one form submit 10 = 50.
    return factories.capture(email="ada@analytical.example", company="Analytical Engines", title="Director of R&D")


def test_scoring_and_routing_tasks_delivered_twice_qualify_and_offer_once(rep):
    lead = _qualifying_lead()

    for _ in range(2):
        marketing_tasks.score_lead.apply(args=[lead.pk]).get()
    for _ in range(2):
        handoff_tasks.route_lead.apply(args=[lead.pk, 0]).get()

    assert_offered_exactly_once(lead, rep)


@pytest.mark.postgres
def test_scoring_and_routing_tasks_delivered_twice_at_the_same_moment_qualify_and_offer_once(rep):
    for round_ in range(10):
        lead = factories.capture(
            email=f"ada.{round_}@analytical.example", company="Analytical Engines", title="Director of R&D"
        )

        scored = run_together(2, lambda _i, pk=lead.pk: marketing_tasks.score_lead.apply(args=[pk]).get())
        routed = run_together(2, lambda _i, pk=lead.pk: handoff_tasks.route_lead.apply(args=[pk, 0]).get())

        assert scored.unexpected() == [] and routed.unexpected() == [], f"round {round_}"
        assert_offered_exactly_once(lead, rep)


# --- Worker child killed mid-task ---------------------------------------------------------


def _waiting_on_my_locks(at_least: int = 1) -> bool:
    """At least this many other sessions of the test database wait on a lock (ours: we hold the only one).

    A backend whose client was SIGKILLed keeps waiting until it gets the lock, so the
    count only grows while the lock is held.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # statistics views are frozen per transaction
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] >= at_least


@pytest.mark.redis
def test_a_task_whose_worker_child_is_killed_mid_run_is_delivered_again_and_lands_once(processes, queue, rep):
    redis = processes.redis()
    # Started before anything is locked: on SQLite a starting worker's system checks wait
    # on a held write lock (see the report), which is not what this test is about.
    worker = processes.worker(environment(redis, queue), queue)  # no beat: no sweep can rescue the task
    lead = _qualifying_lead()

    with transaction.atomic():
        # Hold the lead's row lock (on SQLite: the database's write lock) so that the
        # scoring task blocks half-way through, which is where its worker child is killed.
        Lead.objects.select_for_update().get(pk=lead.pk)
        with celery_app.connection_for_write(redis.url) as broker:
            marketing_tasks.score_lead.apply_async(args=[lead.pk], queue=queue, connection=broker)
        if connection.vendor == "postgresql":
            wait_for(_waiting_on_my_locks, what="the task to block on the lead's lock", processes=processes)
        else:
            wait_for(lambda: log_lines(worker, "score_lead[", "received"), what="the task", processes=processes)
            time.sleep(0.5)  # into the task's BEGIN IMMEDIATE, which waits up to 20 s
        children = worker.pool_children()
        assert len(children) == 1, f"{children}\n{processes.logs()}"
        os.kill(children[0], signal.SIGKILL)
        wait_for(
            lambda: "WorkerLostError" in worker.log_text(),
            what="the worker to notice its child died",
            processes=processes,
        )
        assert not Lead.objects.filter(pk=lead.pk, scored_at__isnull=False).exists()

    assert_offered_exactly_once(lead, rep, processes)
    received = log_lines(worker, "marketing.tasks.score_lead[", "received")
    assert received == 2, f"the task was not delivered again exactly once\n{processes.logs()}"


@pytest.mark.redis
def test_a_task_whose_whole_worker_is_killed_mid_run_is_redriven_by_the_sweep_and_lands_once(processes, queue, rep):
    redis = processes.redis()
    env = environment(redis, queue)
    first = processes.worker(env, queue)
    lead = _qualifying_lead()

    with transaction.atomic():
        Lead.objects.select_for_update().get(pk=lead.pk)
        with celery_app.connection_for_write(redis.url) as broker:
            marketing_tasks.score_lead.apply_async(args=[lead.pk], queue=queue, connection=broker)
        if connection.vendor == "postgresql":
            wait_for(_waiting_on_my_locks, what="the task to block on the lead's lock", processes=processes)
        else:
            wait_for(lambda: log_lines(first, "score_lead[", "received"), what="the task", processes=processes)
            time.sleep(0.5)
        first.kill()

    # The message now sits unacknowledged in Redis until the visibility timeout (an hour,
    # RELIABILITY #7); the sweep of a new worker must not wait for it.
    second = processes.worker(sweeping(env), queue, beat=True)
    assert_offered_exactly_once(lead, rep, processes, worker=second)


@pytest.mark.postgres
@pytest.mark.redis
def test_a_task_that_keeps_killing_its_worker_is_dropped_after_five_deliveries(processes, queue, rep):
    # RELIABILITY #6: redelivery on worker loss needs a cap, or a poison task loops forever.
    # The lead is not lost by this: the scoring sweep re-drives it from the database.
    redis = processes.redis()
    worker = processes.worker(environment(redis, queue), queue)
    lead = _qualifying_lead()

    with transaction.atomic():
        Lead.objects.select_for_update().get(pk=lead.pk)
        with celery_app.connection_for_write(redis.url) as broker:
            marketing_tasks.score_lead.apply_async(args=[lead.pk], queue=queue, connection=broker)
        for delivery in range(1, MAX_DELIVERIES + 1):
            wait_for(
                lambda n=delivery: _waiting_on_my_locks(at_least=n),
                what=f"delivery {delivery} to block on the lead's lock",
                processes=processes,
            )
            [child] = worker.pool_children()
            os.kill(child, signal.SIGKILL)
            wait_for(
                lambda n=delivery: log_lines(worker, "WorkerLostError") >= n,
                what=f"the worker to notice child {delivery} died",
                processes=processes,
            )
        wait_for(
            lambda: log_lines(worker, "dropping task marketing.tasks.score_lead"),
            what="the task to be dropped",
            processes=processes,
        )

    time.sleep(1)  # a task that was not dropped would now score the lead
    assert log_lines(worker, "marketing.tasks.score_lead[", "received") == MAX_DELIVERIES + 1, processes.logs()
    assert not Lead.objects.filter(pk=lead.pk, scored_at__isnull=False).exists(), processes.logs()


# --- PostgreSQL unreachable under load ----------------------------------------------------


@pytest.mark.postgres
@pytest.mark.redis
def test_while_postgresql_is_unreachable_captures_get_503_json_and_all_recovers_without_a_restart(
    processes, queue, rep
):
    redis = processes.redis()
    proxy = processes.database_proxy(current_database_url())
    # One client address sends the whole load: lift the per-IP throttle for it.
    env = sweeping(environment(redis, queue, database_url=proxy.database_url, LEADFLOW_CAPTURE_RATE="100000/minute"))
    web = processes.web(env)
    worker = processes.worker(env, queue, beat=True)
    answers: list[tuple[str, object]] = []
    stop = threading.Event()

    def keep_capturing(client: int) -> None:
        for n in itertools.count():
            if stop.is_set():
                return
            email = f"load.{client}.{n}@navy.example"
            answers.append((email, web.post_json(CAPTURE, {"email": email, **QUALIFYING}, timeout=20)))

    def seen(status: int, since: int = 0) -> int:
        return sum(answer.status == status for _email, answer in answers[since:])

    clients = [threading.Thread(target=keep_capturing, args=(n,)) for n in range(3)]
    for client in clients:
        client.start()
    try:
        wait_for(lambda: seen(202) >= 5, what="captures to land", processes=processes)
        proxy.kill()  # the database is gone, for the web app and the worker alike
        outage = len(answers)
        wait_for(lambda: seen(503, since=outage) >= 5, what="503s while the database is gone", processes=processes)
        proxy.start()
        back = len(answers)
        wait_for(lambda: seen(202, since=back) >= 5, what="captures to land again", processes=processes)
    finally:
        stop.set()
        for client in clients:
            client.join(30)

    statuses = Counter(answer.status for _email, answer in answers)
    odd = [(email, answer) for email, answer in answers if answer.status not in (202, 503)]
    assert not odd, f"{statuses}: {odd[:5]}\n{processes.logs()}"
    for _email, answer in answers:
        if answer.status == 503:
            assert answer.json()["detail"] and answer.headers["Retry-After"], answer
    assert log_lines(web, "Booting worker") == 1, f"the web app had to restart\n{processes.logs()}"
    saved = Counter(
        Lead.objects.filter(email_normalized__in=[email for email, _a in answers]).values_list(
            "email_normalized", flat=True
        )
    )
    for email, answer in answers:
        # A 503 may come after a commit whose acknowledgement was lost. A 202 is a promise.
        assert saved[email] == 1 if answer.status == 202 else saved[email] <= 1, f"{email}: {answer}"

    # Every saved lead, including those whose tasks failed during the outage, is scored,
    # qualified and offered exactly once by the sweeps.
    lead_ids = list(Lead.objects.values_list("pk", flat=True))
    wait_for(
        lambda: Handoff.objects.filter(lead_id__in=lead_ids, state=Handoff.State.OFFERED).count() == len(lead_ids),
        what=f"all {len(lead_ids)} leads to be offered",
        processes=processes,
        timeout=90,
    )
    sweeps = log_lines(worker, "handoff.tasks.reconcile[", "succeeded")
    wait_for(
        lambda: log_lines(worker, "handoff.tasks.reconcile[", "succeeded") >= sweeps + 2,
        what="two more sweeps",
        processes=processes,
    )
    mql_entries = Counter(LeadStageChange.objects.filter(stage=LeadStage.MQL).values_list("lead_id", flat=True))
    offers = Counter(Offer.objects.values_list("handoff__lead_id", flat=True))
    assert set(mql_entries.values()) == {1} and len(mql_entries) == len(lead_ids), mql_entries
    assert set(offers.values()) == {1} and len(offers) == len(lead_ids), offers
    assert Handoff.objects.count() == len(lead_ids)


# --- Mail server down ------------------------------------------------------------------------


@pytest.mark.redis
def test_an_offer_email_that_failed_while_the_mail_server_was_down_arrives_once_it_is_back(processes, queue, rep):
    # RELIABILITY "Faults to survive": email receiver down → retried with backoff, then
    # dead-lettered and visible. Routing itself must not depend on the mail server.
    redis = processes.redis()
    smtp_port = free_port()  # nothing listens here yet: the mail server is down
    smtp = {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend", "EMAIL_HOST": "127.0.0.1"}
    env = sweeping(environment(redis, queue, EMAIL_PORT=str(smtp_port), **smtp))
    web = processes.web(env)
    worker = processes.worker(env, queue, beat=True)
    answer = web.post_json(CAPTURE, {"email": "grace@navy.example", **QUALIFYING})
    assert answer.status == 202, f"{answer}\n{processes.logs()}"
    lead = Lead.objects.get(email_normalized="grace@navy.example")
    assert_offered_exactly_once(lead, rep, processes)
    wait_for(lambda: "Connection refused" in worker.log_text(), what="the offer email to fail", processes=processes)

    mail = processes.mail_server(smtp_port)

    def offer_emails() -> list[str]:
        return [message for message in mail.messages() if f"To-Envelope: {rep.email}" in message]

    back = f"the offer email to reach {rep.email} once the mail server is back"
    wait_for(offer_emails, what=back, processes=processes, timeout=20)
    sweeps = log_lines(worker, "handoff.tasks.reconcile[", "succeeded")
    wait_for(
        lambda: log_lines(worker, "handoff.tasks.reconcile[", "succeeded") >= sweeps + 2,
        what="two more sweeps",
        processes=processes,
    )
    assert len(offer_emails()) == 1, offer_emails()
