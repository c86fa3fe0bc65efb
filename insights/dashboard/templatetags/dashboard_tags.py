"""Number formats for the dashboard: money, short money, percentages and durations."""

from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.safestring import mark_safe

from ..charts import short_number

register = template.Library()


@register.filter
def money(value) -> str:
    """$1,234 (whole dollars); a dash for no value."""
    if value is None or value == "":
        return "—"
    value = Decimal(value).quantize(Decimal("1"))
    return f"{'-' if value < 0 else ''}${intcomma(abs(value))}"


@register.filter
def short_money(value) -> str:
    return "—" if value is None else short_number(value, money=True)


@register.filter
def short(value) -> str:
    return "—" if value is None else short_number(value)


@register.filter
def pct(value) -> str:
    return "—" if value is None else f"{value:g}%"


@register.filter
def days(value) -> str:
    """A median in days as people say it: "< 1 day", "1 day", "2.5 days"."""
    if value is None:
        return "—"
    if value < 1:
        return "< 1 day"
    return f"{value:g} day{'s' if value != 1 else ''}"


@register.filter
def times(value) -> str:
    """A revenue-per-dollar ratio: "4.2×"."""
    return "—" if value is None else f"{float(value):.1f}×"


@register.simple_tag
def figure(count=None, total=None) -> str:
    """The attributes that say what a linked number counts: the rows (data-count) or the sum of
    their amounts (data-sum) of the list it opens; tests/crawl/ checks them (docs/QUALITY.md)."""
    parts = []
    if count is not None:
        parts.append(f'data-count="{int(count)}"')
    if total is not None:
        parts.append(f'data-sum="{Decimal(total):f}"')
    return mark_safe(" ".join(parts))  # int and Decimal text only: nothing to escape
