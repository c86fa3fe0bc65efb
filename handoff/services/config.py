"""What managers and marketers configure: team SLA settings, routing rules, recycling
rules and marketing's side of the two-sided SLA. Scope is checked here, not only in the views."""

from datetime import date, time
from zoneinfo import available_timezones

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max

from sales.models import Team

from ..models import Commitment, RejectionRule, RoutingRule, TeamSettings


def managed_teams(user):
    """Teams whose routing and SLA `user` may change: the ones they manage (admins: all)."""
    if not user.has_perm("handoff.manage_routing"):
        return Team.objects.none()
    return Team.objects.all() if user.is_superuser else Team.objects.filter(manager=user)


def _require(user, permission: str, message: str) -> None:
    if not user.has_perm(permission):
        raise PermissionDenied(message)


def _managed_team(user, team_id: int) -> Team:
    _require(user, "handoff.manage_routing", "Only sales managers change routing and SLA settings.")
    return managed_teams(user).get(pk=team_id)  # someone else's team: DoesNotExist → 404


def save_team_settings(
    *,
    team_id: int,
    by,
    time_zone: str,
    working_days: list[int],
    day_starts: time,
    day_ends: time,
    sla_minutes: int,
    max_open_offers: int | None,
    sla_target_percent: int | None = None,
) -> TeamSettings:
    """Set a team's working hours, time zone, SLA (minutes and target share) and offer cap.

    New offers get their deadline from these; every SLA page reads them. A caller that
    leaves out the target keeps the team's current one.
    """
    team = _managed_team(by, team_id)
    errors = {}
    if time_zone not in available_timezones():
        errors["time_zone"] = "Choose a time zone from the list."
    days = sorted(set(working_days))
    if not days or any(day not in range(7) for day in days):
        errors["working_days"] = "Choose at least one working day."
    if day_ends != time(0) and day_ends <= day_starts:
        errors["day_ends"] = "The day must end after it starts (00:00 means midnight)."
    if not 1 <= sla_minutes <= 60 * 24 * 14:
        errors["sla_minutes"] = "Give between 1 minute and 14 days of working time."
    if sla_target_percent is not None and not 1 <= sla_target_percent <= 100:
        errors["sla_target_percent"] = "Give a target from 1 to 100 percent of offers."
    if max_open_offers is not None and not 1 <= max_open_offers <= 1000:
        errors["max_open_offers"] = "Give a cap from 1 to 1,000, or leave it empty for no cap."
    if errors:
        raise ValidationError(errors)
    config, _ = TeamSettings.objects.update_or_create(
        team=team,
        defaults={
            "time_zone": time_zone,
            "working_days": "".join(str(day) for day in days),
            "day_starts": day_starts,
            "day_ends": day_ends,
            "sla_minutes": sla_minutes,
            "max_open_offers": max_open_offers,
            "updated_by": by,
        }
        | ({} if sla_target_percent is None else {"sla_target_percent": sla_target_percent}),
    )
    return config


RULE_FIELDS = ("name", "is_active", "countries", "industries", "company_sizes", "sources", "campaign_id", "min_score")


def editable_rules(user):
    """Rules `user` may change: those sending leads to a team they manage."""
    return RoutingRule.objects.filter(team__in=managed_teams(user))


def save_routing_rule(*, by, rule_id: int | None = None, team_id: int, **fields) -> RoutingRule:
    """Create or change a routing rule; a new rule goes last."""
    _managed_team(by, team_id)
    allowed = {*RULE_FIELDS, "max_score"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
    with transaction.atomic():
        if rule_id is None:
            last = RoutingRule.objects.aggregate(last=Max("position"))["last"]
            rule = RoutingRule(position=0 if last is None else last + 1, created_by=by)
        else:
            rule = editable_rules(by).select_for_update().get(pk=rule_id)
        rule.team_id = team_id
        for name, value in fields.items():
            setattr(rule, name, value)
        rule.full_clean()
        rule.save()
    return rule


def move_routing_rule(*, rule_id: int, by, direction: str) -> RoutingRule:
    """Swap a rule with its neighbour above ("up") or below ("down"): order decides who wins."""
    if direction not in ("up", "down"):
        raise ValidationError({"direction": "Move a rule up or down."})
    with transaction.atomic():
        rules = list(RoutingRule.objects.select_for_update().order_by("position", "id"))
        rule = editable_rules(by).get(pk=rule_id)
        index = [r.pk for r in rules].index(rule.pk)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(rules):
            rules[index], rules[other] = rules[other], rules[index]
        # Renumber all: positions stay dense and unique whatever happened before.
        for position, item in enumerate(rules):
            item.position = position
        RoutingRule.objects.bulk_update(rules, ["position"])
    return rule


def delete_routing_rule(*, rule_id: int, by) -> None:
    """Remove a rule; leads it would have matched fall through to the next rules."""
    editable_rules(by).get(pk=rule_id).delete()


def save_rejection_rule(*, reason: str, by, action: str, cooldown_days: int) -> RejectionRule:
    """Set what a rejection for `reason` does to the lead."""
    _require(by, "handoff.manage_routing", "Only sales managers change the recycling rules.")
    rule = RejectionRule.objects.filter(reason=reason).first() or RejectionRule(reason=reason)
    rule.action, rule.cooldown_days = action, cooldown_days
    if action != RejectionRule.Action.NURTURE:
        rule.cooldown_days = 0  # only nurture waits; a cool-down elsewhere would mean nothing
    rule.full_clean()
    rule.save()
    return rule


def save_commitment(*, by, month: date, mqls_per_month: int) -> Commitment:
    """Record marketing's MQLs a month from `month` on (both sides agree it; either may enter it).

    Sales' side is each team's SLA, set on the team's settings (save_team_settings).
    """
    _require(by, "handoff.change_commitment", "Only marketers and sales managers set the SLA commitments.")
    commitment = Commitment.objects.filter(starts_on=month.replace(day=1)).first() or Commitment(
        starts_on=month.replace(day=1)
    )
    commitment.mqls_per_month = mqls_per_month
    commitment.updated_by = by
    commitment.full_clean()
    commitment.save()
    return commitment
