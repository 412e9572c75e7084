"""The certification types the platform ships: their slots offer every teacher's online template."""

from proteacher.certification import defaults
from proteacher.documents import catalogue


def test_the_shipped_slots_use_every_online_template():
    used = {code for spec in defaults.TYPES for _, _, codes, *_ in spec["slots"] for code in codes}
    online = {template.code for template in catalogue.all_templates() if not template.is_upload}

    assert online <= used
