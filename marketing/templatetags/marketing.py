"""Small presentation helpers for marketing's pages: meters, money, percentages."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from .. import slots
from ..models import Channel, Stage

register = template.Library()


@register.simple_tag
def slot_url(name: str, *args) -> str:
    """`{% slot_url "lead-verdicts" lead.pk %}`: the page another app filled the slot with
    (marketing/slots.py), so marketing's templates link it without naming it."""
    return slots.link(name, *args)


@register.filter
def money(value) -> str:
    """12345.6 → "12,346"; cents only under 100 (a cost per lead of 3.50 reads better)."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    if abs(value) < 100 and value != value.to_integral_value():
        return intcomma(f"{value:.2f}")
    return intcomma(f"{value:.0f}")


@register.filter
def percent(ratio) -> str:
    """0.4213 → "42%"; small shares keep one decimal (0.8%)."""
    if ratio is None:
        return "—"
    value = 100 * float(ratio)
    return f"{value:.1f}%" if 0 < value < 10 else f"{value:.0f}%"


@register.simple_tag
def meter(value, total, *, label: str = "", tone: str = ""):
    """A thin horizontal bar: value as a share of total (SVG, so no inline style under the CSP)."""
    share = 0.0 if not total else min(float(value) / float(total), 1.0)
    over = bool(total) and float(value) > float(total)
    classes = "meter" + (" meter-over" if over else "") + (f" meter-{tone}" if tone else "")
    return format_html(
        '<svg class="{}" viewBox="0 0 100 6" preserveAspectRatio="none" role="img" aria-label="{}">'
        '<rect class="meter-track" width="100" height="6" rx="3"/>'
        '<rect class="meter-fill" width="{}" height="6" rx="3"/></svg>',
        classes,
        label or f"{share:.0%}",
        round(100 * share, 2),
    )


@register.simple_tag
def spend_meter(spent, budget):
    """Spent of budget with a bar; over budget turns red."""
    if not budget:
        return format_html('<span class="cell-sub">{} spent, no budget</span>', money(spent))
    share = float(spent) / float(budget)
    return format_html(
        '<div class="spend"><span>{} <span class="cell-sub">({})</span></span>{}</div>',
        money(spent),
        percent(share),
        meter(spent, budget, label=f"{percent(share)} of the budget spent"),
    )


@register.filter
def person(user, empty: str = "—") -> str:
    """A user's full name, else username; `empty` for nobody."""
    if user is None:
        return empty
    return user.get_full_name() or user.get_username()


@register.filter
def field_label(name: str) -> str:
    """A standard lead field's label as forms show it ("title" → "Job title")."""
    from ..forms.capture import STANDARD_FIELD_SPECS

    spec = STANDARD_FIELD_SPECS.get(name)
    return spec().label if spec else name.replace("_", " ").capitalize()


@register.filter
def sub(value, other):
    """value - other, for "12 points to go"."""
    try:
        return int(value) - int(other)
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def options(choices, selected="") -> str:
    """<option>s for a select, written in Python: Django's widget templates cost about a
    millisecond per option, which a list page with several selects pays on every view."""
    selected = "" if selected is None else str(selected)
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((value, mark_safe(" selected") if str(value) == selected else "", label) for value, label in choices),
    )


_STAGES = dict(Stage.choices)
_CHANNELS = dict(Channel.choices)


@register.filter
def stage_label(value: str) -> str:
    """A stage's label without get_stage_display (which re-hashes the choices on every call)."""
    return _STAGES.get(value, value)


@register.filter
def channel_label(value: str) -> str:
    return _CHANNELS.get(value, value)


@register.filter
def day_and_time(moment):
    """ "Mar 3, 2026" over "14:05", in the current time zone: one cheap call per row of a long
    list (the date filter goes through the translation machinery every time)."""
    if moment is None:
        return "—"
    local = timezone.localtime(moment)
    return format_html(
        '{} {}, {}<div class="cell-sub">{}</div>', local.strftime("%b"), local.day, local.year, local.strftime("%H:%M")
    )
