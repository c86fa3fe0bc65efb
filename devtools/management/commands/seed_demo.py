"""`manage.py seed_demo`: demo users, two sales teams with routing rules and working hours,
campaigns, and five months of leads that walked the whole journey (devtools/demo/)."""

import io
import os
from contextlib import redirect_stdout

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse

from devtools.demo import data, play
from handoff.models import Handoff, Offer
from insights.models import ScorecardRow
from marketing.models import Campaign, Lead
from marketing.models import Stage as LeadStage
from sales.models import Deal
from sales.models import Stage as DealStage

SITE = f"http://127.0.0.1:{os.environ.get('PORT', '8000')}"


class Command(BaseCommand):
    help = "Load demo users, teams, campaigns and five months of leads through the real services (development only)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (the demo users share a known password)."
        )

    def handle(self, *args, force: bool = False, **options) -> None:
        if not settings.DEBUG and not force:
            raise CommandError(
                f"seed_demo creates users whose password is {data.PASSWORD!r}, so it only runs with DEBUG on "
                "(DJANGO_DEBUG=1). Add --force to load the demo data anyway."
            )
        if get_user_model().objects.filter(username=data.MARKER).exists():
            self.stdout.write(f"Demo data already loaded (user {data.MARKER!r} exists); nothing changed.")
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
            play.play()
    except (IntegrityError, ValidationError) as error:
        raise CommandError(
            f"Could not load the demo data, nothing was written: {error}. "
            "It expects a database without the demo's users, teams or campaigns."
        ) from error


def _summary() -> str:
    leads = dict(Lead.objects.order_by().values_list("stage").annotate(Count("id")))
    handoffs = dict(Handoff.objects.order_by().values_list("state").annotate(Count("id")))
    deals = Deal.objects.all()
    return "\n".join(
        [
            f"  {Campaign.objects.count()} campaigns, {sum(leads.values())} leads, "
            f"{sum(handoffs.values())} handoffs, {deals.count()} deals, "
            f"{Offer.objects.filter(state=Offer.State.EXPIRED).count()} SLA breaches, "
            f"{ScorecardRow.objects.count()} scorecard rows",
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
    rows += [f"  {u.username:<10}{u.role:<15}{data.PASSWORD:<15}{SITE}{reverse(u.start)}" for u in data.USERS]
    return f"Open {SITE}/ and log in as:\n" + "\n".join(rows)
