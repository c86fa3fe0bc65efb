"""`python -m bench journey`: how far one lead travels through the code, not how fast.

The journey of docs/ARCHITECTURE.md — capture → score → qualify → route → offer → accept →
deal → won → scorecard — walked as its users walk it (the public form, the rep's inbox and
deal pages, the marketer's scorecards), on a throwaway test database with Celery eager.
A profiler hook records every call into LeadFlow's own code; the report counts the source
files the journey runs, the templates it renders, and the hops: distinct caller-file →
callee-file edges between LeadFlow files (a measure of how many places a reader follows).

    DATABASE_URL=sqlite:////tmp/journey.sqlite3 python -m bench journey
"""

import inspect
import logging
import re
import sys
from collections import defaultdict
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import setup_test_environment
from django.urls import reverse

ROOT = Path(__file__).resolve().parent.parent
OWN = ("marketing", "sales", "handoff", "insights", "guards", "leadflow")


def own_file(filename: str) -> str | None:
    try:
        relative = Path(filename).resolve().relative_to(ROOT)
    except ValueError:
        return None
    return str(relative) if relative.parts[0] in OWN and "migrations" not in relative.parts else None


class Tracer:
    """Records LeadFlow files entered and caller → callee file edges, per step."""

    def __init__(self) -> None:
        self.step = ""
        self.files: dict[str, set[str]] = defaultdict(set)
        self.edges: dict[str, set[tuple[str, str]]] = defaultdict(set)
        self.templates: dict[str, set[str]] = defaultdict(set)
        self._known: dict[str, str | None] = {}

    def _own(self, filename: str) -> str | None:
        if filename not in self._known:
            self._known[filename] = own_file(filename)
        return self._known[filename]

    def __call__(self, frame, event, arg) -> None:
        # Only functions: module and class bodies run once at import, not in the journey.
        if event != "call" or not frame.f_code.co_flags & inspect.CO_NEWLOCALS:
            return
        callee = self._own(frame.f_code.co_filename)
        if callee is None or not self.step:  # before the first step: the fixtures
            return
        self.files[self.step].add(callee)
        caller_frame = frame.f_back
        while caller_frame is not None:  # the nearest LeadFlow frame that led here
            caller = self._own(caller_frame.f_code.co_filename)
            if caller is not None:
                if caller != callee:
                    self.edges[self.step].add((caller, callee))
                return
            caller_frame = caller_frame.f_back

    def rendered(self, sender, template, **kwargs) -> None:
        if template.origin and template.origin.template_name:
            self.templates[self.step].add(template.origin.template_name)


def walk(tracer: Tracer) -> None:
    from handoff.models import Handoff
    from marketing.models import Lead
    from tests import factories

    settings.LEADFLOW_FORM_MIN_SECONDS = 0
    campaign = factories.CampaignFactory(name="Forecasting webinar", utm_campaign="forecasting-webinar")
    team = factories.TeamFactory(name="Inside Sales")
    rep = factories.salesperson(team, username="sam")
    marketer = factories.marketer(username="maria")

    def step(name: str):
        tracer.step = name

    visitor = Client()
    form_url = reverse("marketing:capture-form", args=[campaign.utm_campaign])
    step("capture → score → qualify → route → offer")
    token = re.search(r'name="form_token" value="([^"]+)"', visitor.get(form_url).text)[1]
    visitor.post(
        form_url,
        {
            "form_token": token,
            "email": "grace.hopper@navy.example",
            "first_name": "Grace",
            "last_name": "Hopper",
            "company": "US Navy",
            "title": "Director of Engineering",
        },
    )
    lead = Lead.objects.get(email_normalized="grace.hopper@navy.example")
    handoff = Handoff.objects.get(lead=lead, state=Handoff.State.OFFERED)

    step("accept → deal")
    sales = Client()
    sales.force_login(rep)
    sales.get(reverse("handoff:inbox"))
    sales.post(reverse("handoff:offer-accept", args=[handoff.pk]))
    handoff.refresh_from_db()
    deal = handoff.deal

    step("deal stages → won")
    for slug in ("qualification", "proposal", "negotiation"):
        deal.refresh_from_db()
        stage = deal.pipeline.stages.get(slug=slug)
        sales.post(reverse("sales:deal-move", args=[deal.pk]), {"stage": stage.pk, "version": deal.version})
    deal.refresh_from_db()
    sales.post(reverse("sales:deal-won", args=[deal.pk]), {"amount": "48000", "version": deal.version})
    assert Lead.objects.get(pk=lead.pk).outcome == "won", "the journey did not reach won"

    step("scorecard")
    marketing = Client()
    marketing.force_login(marketer)
    page = marketing.get("/handoff/scorecards/")
    assert page.status_code == 200, page.status_code


def run(argv: list[str]) -> None:
    from leadflow.celery import app as celery_app

    logging.disable(logging.WARNING)  # task and rebuild logs are not this report
    setup_test_environment()
    celery_app.conf.task_always_eager = True
    settings.ALLOWED_HOSTS = ["testserver"]
    name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    tracer = Tracer()
    template_rendered.connect(tracer.rendered)
    sys.setprofile(tracer)
    try:
        walk(tracer)
    finally:
        sys.setprofile(None)
        connection.creation.destroy_test_db(name, verbosity=0)

    print(f"{'step':<44} {'files':>5} {'apps':>4} {'hops':>5} {'templates':>9}")
    every_file, every_edge, every_template = set(), set(), set()
    for step, files in tracer.files.items():
        apps = {f.split("/")[0] for f in files}
        hops, templates = len(tracer.edges[step]), len(tracer.templates[step])
        print(f"{step:<44} {len(files):>5} {len(apps):>4} {hops:>5} {templates:>9}")
        every_file |= files
        every_edge |= tracer.edges[step]
        every_template |= tracer.templates[step]
    apps = sorted({f.split("/")[0] for f in every_file})
    print(f"{'whole journey':<44} {len(every_file):>5} {len(apps):>4} {len(every_edge):>5} {len(every_template):>9}")
    print("apps:", ", ".join(apps))
    if "-v" in argv:
        for file in sorted(every_file):
            print("  ", file)
