"""My day: what a salesperson should do now — overdue and due-today activities, deals closing this month."""

import datetime

from django.contrib.auth.decorators import login_required, permission_required
from django.db.models import Count, Q, Sum
from django.shortcuts import render
from django.utils import timezone

from ..models import Activity, Deal, SalesRep, Stage
from .money import WEIGHTED, ordered

LIST_LIMIT = 50


def day_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    start = timezone.make_aware(datetime.datetime.combine(today, datetime.time.min))
    return start, start + datetime.timedelta(days=1)


def month_bounds(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = today.replace(day=1)
    following = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, following


@login_required
@permission_required("sales.view_deal", raise_exception=True)
def my_day(request):
    user = request.user
    now = timezone.now()
    today = timezone.localdate()
    start, end = day_bounds(today)
    first, following = month_bounds(today)
    open_activities = Activity.objects.filter(owner=user, done_at__isnull=True).select_related("deal")
    overdue = open_activities.filter(due_at__lt=start).order_by("due_at", "id")
    due_today = open_activities.filter(due_at__gte=start, due_at__lt=end).order_by("due_at", "id")
    counts = open_activities.aggregate(
        overdue=Count("pk", filter=Q(due_at__lt=start)),
        today=Count("pk", filter=Q(due_at__gte=start, due_at__lt=end)),
        week=Count("pk", filter=Q(due_at__gte=end, due_at__lt=start + datetime.timedelta(days=7))),
    )
    my_deals = Deal.objects.filter(owner=user)
    closing = (
        my_deals.open()
        .filter(expected_close__gte=first, expected_close__lt=following)
        .select_related("stage")
        .order_by("expected_close", "id")
    )
    month_start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    closing_this_month = Q(closed_at__isnull=True, expected_close__gte=first, expected_close__lt=following)
    won_this_month = Q(stage__kind=Stage.Kind.WON, closed_at__gte=month_start)
    money = ordered(
        list(
            my_deals.filter(closing_this_month | won_this_month)
            .values("currency")
            .annotate(
                weighted=Sum(WEIGHTED, filter=closing_this_month),
                won=Sum("amount", filter=won_this_month),
                won_count=Count("pk", filter=won_this_month),
                closing_count=Count("pk", filter=closing_this_month),
            )
            .order_by()
        ),
        key="weighted",
    )
    slipped = my_deals.open().filter(expected_close__lt=first).count()
    context = {
        "now": now,
        "today": today,
        "overdue": overdue[:LIST_LIMIT],
        "due_today": due_today[:LIST_LIMIT],
        "counts": counts,
        "closing": closing[:LIST_LIMIT],
        "closing_count": sum(row["closing_count"] for row in money),
        # Per card only the currencies it has: a month with deals closing but none won left
        # "Won this month" with an empty line instead of "nothing yet".
        "closing_money": [row for row in money if row["closing_count"]],
        "won_money": [row for row in money if row["won_count"]],
        "won_count": sum(row["won_count"] for row in money),
        "slipped": slipped,
        "rep": SalesRep.objects.filter(user=user).first(),
        "list_limit": LIST_LIMIT,
    }
    return render(request, "sales/my_day.html", context)
