"""The personal-data index shows data.json's moments (ISO 8601, Asia/Taipei) as people read them."""

from django import template

register = template.Library()


@register.filter
def moment(value: str) -> str:
    """2026-12-05T16:19:58+08:00 → 2026-12-05 16:19 (data.json keeps the full form)."""
    return value[:16].replace("T", " ") if value else ""
