"""Certificates' dates as certificates word them (中華民國125年12月4日)."""

from django import template

from proteacher import dates

register = template.Library()


@register.filter
def roc_date(value) -> str:
    """A date or a moment (read in Asia/Taipei) as 中華民國125年12月4日; nothing for none."""
    return dates.roc_date(value) if value else ""
