"""Small formatting helpers for the sales pages."""

from datetime import timedelta
from decimal import Decimal

from django import template

from .. import slots

register = template.Library()


@register.simple_tag
def slot_url(name: str, *args) -> str:
    """`{% slot_url "new-leads" %}`: the page another app filled the slot with (sales/slots.py),
    so sales' templates link it without naming it."""
    return slots.link(name, *args)


@register.filter
def duration(value: timedelta | None) -> str:
    """A time span the way people say it: '3 d 4 h', '5 h 10 min', '12 min'."""
    if value is None:
        return "—"
    minutes = max(int(value.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 60 * 24)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h" if hours and days < 10 else f"{days} d"
    if hours:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    return f"{minutes} min"


@register.filter
def money(value, currency: str = "") -> str:
    """12,500 with its currency; compact (12.5k, 1.2M) is `short_money`."""
    # Python's own grouping: humanize's intcomma went through the l10n machinery and was a
    # noticeable share of the board's render time (hundreds of amounts per page).
    return f"{currency} {Decimal(value or 0):,.0f}".strip()


@register.filter
def short_money(value) -> str:
    amount = float(value or 0)
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(amount) >= limit:
            shown = amount / limit
            return f"{shown:.1f}{suffix}".replace(".0", "") if shown < 100 else f"{shown:.0f}{suffix}"
    return f"{amount:.0f}"


@register.filter
def user_name(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.username


@register.filter
def initials(user) -> str:
    name = (user.get_full_name() or user.username) if user else "?"
    parts = name.split()
    return "".join(part[0] for part in parts[:2]).upper() or "?"


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template (keys such as dates that the dot syntax cannot spell)."""
    return mapping.get(key) if mapping else None
