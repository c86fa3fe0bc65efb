"""The audit log page: admins read every entry, a sales manager their own and their team's."""

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render

from sales.models import SalesRep

from .forms import EntryFilterForm
from .history import History
from .tracking import records

ENTRIES_PER_PAGE = 50


def may_read(user) -> bool:
    # Sales managers are the role base.html names by this capability (handoff/roles.py);
    # the log has no permission of its own, so handoff's role table needn't know this app.
    return user.is_superuser or user.has_perm("handoff.view_dashboard")


def actors_seen_by(user) -> list[int] | None:
    """Whose entries `user` reads: None for everyone (admins); else themselves and their teams' reps."""
    if user.is_superuser:
        return None
    return [user.pk, *SalesRep.objects.filter(team__manager=user).values_list("user_id", flat=True)]


@login_required
def entry_list(request):
    if not may_read(request.user):
        raise PermissionDenied("The audit log is for admins and sales managers.")
    actor_ids = actors_seen_by(request.user)
    actors = get_user_model().objects.order_by("username")
    if actor_ids is not None:
        actors = actors.filter(pk__in=actor_ids)
    filters = EntryFilterForm(request.GET or None, actors=actors)
    context = {
        "filters": filters,
        "everyone": actor_ids is None,
        "records": records(),
        # The request line (method, path, request id) is for admins, in the read-only admin.
        "links_to_admin": request.user.is_staff and request.user.has_perm("audit.view_auditentry"),
    }
    if not records():
        # SQLite has no triggers: nothing is recorded, and the page says so (docs/AUDIT.md).
        return render(request, "audit/entries.html", {**context, "entries": []})
    status = 200
    if filters.is_bound and not filters.is_valid():
        history, status = [], 400
    else:
        history = History(**(filters.narrow(actor_ids) if filters.is_bound else {"actor_ids": actor_ids}))
    page = Paginator(history, ENTRIES_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "audit/entries.html", {**context, "page": page, "entries": page.object_list}, status=status)
