from django.conf import settings
from django.db import models
from django.db.models import Q

from marketing.models import Lead
from sales.models import Deal, Team


class RejectionReason(models.TextChoices):
    BAD_FIT = "bad_fit", "Bad fit"
    NO_BUDGET = "no_budget", "No budget"
    NO_AUTHORITY = "no_authority", "No authority"
    NO_NEED = "no_need", "No need"
    BAD_TIMING = "bad_timing", "Bad timing"
    DUPLICATE = "duplicate", "Duplicate"
    SPAM = "spam", "Spam"
    WRONG_CONTACT = "wrong_contact", "Wrong contact"
    OTHER = "other", "Other"


class HandoffQuerySet(models.QuerySet):
    def visible_to(self, user) -> "HandoffQuerySet":
        """A salesperson sees their own offers; a manager their teams'; admins all."""
        if user.is_superuser:
            return self
        return self.filter(Q(assignee=user) | Q(team__manager=user))


class Handoff(models.Model):
    """One qualification of a lead travelling to sales.

    A lead has one handoff per qualification cycle: a recycled lead that qualifies again
    (cycle = its recycle count) gets a new one. The unique (lead, cycle) pair is what makes
    routing idempotent when the same task is delivered twice.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        OFFERED = "offered", "Offered"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"
        # The lead left sales' hands while offered (disqualified, merged…): nobody can take it.
        WITHDRAWN = "withdrawn", "Withdrawn"

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="+")
    cycle = models.PositiveIntegerField(default=0)
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    offered_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.CharField(max_length=20, choices=RejectionReason.choices, blank=True)
    rejection_note = models.CharField(max_length=500, blank=True)
    # The lead's company domain ("" for free mail), kept here and indexed so that routing's
    # dedupe finds the owner of a company without scanning every lead and deal by suffix.
    domain = models.CharField(max_length=254, blank=True, default="", db_default="")
    # Why it went to this team or rep ("Rule “EMEA enterprise”", "Owner of acme.com"…).
    route_reason = models.CharField(max_length=200, blank=True, default="", db_default="")
    # Dedupe: the rep who already owns this person or company gets the first offer.
    preferred_assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the rejection did to the lead (see RejectionRule) and, for a duplicate, the
    # original the rep named.
    recycle_action = models.CharField(max_length=20, blank=True, default="", db_default="")
    duplicate_of = models.ForeignKey(Lead, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    deal = models.OneToOneField(Deal, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The deal close this handoff last wrote back to marketing; differs from the deal's
    # closed_at exactly when the outcome still has to be recorded.
    outcome_closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = HandoffQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        permissions = [
            ("decide_offer", "Can accept or reject offers"),
            ("view_dashboard", "Can view the joint dashboard"),
            ("manage_routing", "Can edit routing rules, team SLA settings and recycling rules"),
            ("edit_playbook", "Can write the sales playbook"),
            ("view_scorecard", "Can view lead-quality scorecards"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lead", "cycle"], name="one_handoff_per_lead_cycle"),
        ]
        indexes = [
            models.Index(fields=["state", "due_at"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["domain", "state"], condition=~Q(domain=""), name="handoff_owned_domain"),
        ]

    def __str__(self) -> str:
        return f"Handoff #{self.pk} ({self.get_state_display()})"


class Offer(models.Model):
    """One attempt to give a handoff to one salesperson, with its SLA clock."""

    class State(models.TextChoices):
        OPEN = "open", "Open"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"
        EXPIRED = "expired", "Expired"

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="offers")
    assignee = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    offered_at = models.DateTimeField()
    due_at = models.DateTimeField()
    # Half-way through the SLA (in working time) the assignee is reminded, once.
    remind_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # Working minutes from offer to answer, in the team's hours: the SLA metrics' raw data.
    response_minutes = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["handoff"], condition=Q(state="open"), name="one_open_offer_per_handoff"),
        ]
        indexes = [
            models.Index(fields=["state", "remind_at"]),
            models.Index(fields=["assignee", "state"]),
            models.Index(fields=["offered_at"]),
        ]

    def __str__(self) -> str:
        return f"Offer of handoff #{self.handoff_id} to user #{self.assignee_id} ({self.state})"

    @property
    def within_sla(self) -> bool | None:
        if self.state in (self.State.ACCEPTED, self.State.REJECTED):
            return self.decided_at <= self.due_at
        return False if self.state == self.State.EXPIRED else None


class Feedback(models.Model):
    """Sales' verdict on a lead's quality, given on accept, reject or close."""

    class Moment(models.TextChoices):
        ACCEPT = "accept", "On accept"
        REJECT = "reject", "On reject"
        CLOSE = "close", "On close"

    handoff = models.ForeignKey(Handoff, on_delete=models.CASCADE, related_name="feedback")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    moment = models.CharField(max_length=10, choices=Moment.choices)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="feedback_rating_1_to_5",
            ),
            # A deal closed, reopened and closed again keeps one closing verdict, the latest.
            models.UniqueConstraint(fields=["handoff"], condition=Q(moment="close"), name="one_close_feedback"),
        ]

    def __str__(self) -> str:
        return f"{self.get_moment_display()}: {self.rating or '–'}/5"


class RoutingSlot(models.Model):
    """Smooth weighted round-robin state of one rep within one team.

    Each pick adds every eligible rep's weight to `current`, gives the lead to the highest,
    and takes the total weight off the winner: over any run of picks each rep's share
    stays within one lead of its weight, and a rep who was away simply is not counted.
    """

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    current = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="one_routing_slot_per_rep"),
        ]

    def __str__(self) -> str:
        return f"{self.team} / user #{self.user_id}: {self.current}"
