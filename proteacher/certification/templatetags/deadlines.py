"""Deadlines in templates as the platform words them: {{ moment|roc_datetime }} → 116-03-31 23:59."""

from django import template

from proteacher import dates

register = template.Library()


@register.filter
def roc_datetime(moment) -> str:
    return dates.roc_datetime(moment) if moment else ""
