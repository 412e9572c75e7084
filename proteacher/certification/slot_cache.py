"""The slots of a type, kept per process.

流程進度 and 儲存 read a type's slots on every request, and they change only under 認證設定. Each
type row carries a random token, replaced whenever one of its slots is saved or deleted; the slots
are kept by (type, token). A page reads the type row with its case anyway, so a process never
serves slots older than the row it has just read, and no message between processes is needed.
The token is random, not a counter: a change rolled back and another made later never share one.
"""

import uuid

from django.db.models.signals import post_delete, post_save

LIMIT = 256
_kept: dict[tuple[int, str], tuple] = {}


def new_token() -> str:
    return uuid.uuid4().hex


def slots_of_type(certification_type) -> list:
    """The type's FormSlot rows in the order of 編輯表單列表 (shared: read them, never change them)."""
    from proteacher.certification.models import FormSlot

    key = (certification_type.pk, certification_type.slots_token)
    found = _kept.get(key)
    if found is None:
        if len(_kept) >= LIMIT:
            _kept.clear()
        found = tuple(FormSlot.objects.filter(certification_type_id=key[0]).order_by("sort_order", "id"))
        _kept[key] = found
    return list(found)


def renew_token(certification_type_id: int) -> None:
    from proteacher.certification.models import CertificationType

    CertificationType.objects.filter(pk=certification_type_id).update(slots_token=new_token())


def _slot_changed(sender, instance, **kwargs) -> None:
    renew_token(instance.certification_type_id)


def connect() -> None:
    from proteacher.certification.models import FormSlot

    post_save.connect(_slot_changed, sender=FormSlot, dispatch_uid="slot_cache_save")
    post_delete.connect(_slot_changed, sender=FormSlot, dispatch_uid="slot_cache_delete")
