"""通知設定: how a person's optional notices reach them (immediately by email, in a daily digest,
or in 訊息通知 only). Notices with legal weight ignore the choice: they are always emailed at once.

The choice applies to messages written after it; a message already held for the digest stays in it.
"""

from django.db import transaction
from django.utils import timezone

from proteacher.audit.log import record
from proteacher.errors import DomainError
from proteacher.notifications.models import Delivery, NoticePreference

CHOOSE_ONE = "請選擇選擇性通知的寄送方式。"


def delivery_of(user) -> str:
    """The person's choice; 立即寄送電子郵件 until they make one."""
    chosen = NoticePreference.objects.filter(user=user).values_list("delivery", flat=True).first()
    return chosen or Delivery.IMMEDIATE


def choose(user, delivery: str, *, request=None) -> bool:
    """Save the person's choice with its audit entry (notice_preference.change), in one
    transaction; returns False, recording nothing, when it is the choice they already had."""
    if delivery not in Delivery.values:
        raise DomainError(CHOOSE_ONE)
    with transaction.atomic():
        current = NoticePreference.objects.select_for_update().filter(user=user).first()
        before = current.delivery if current else Delivery.IMMEDIATE
        if before == delivery:
            return False
        now = timezone.now()
        NoticePreference.objects.update_or_create(user=user, defaults={"delivery": delivery, "updated_at": now})
        record(
            "notice_preference.change",
            actor=user,
            request=request,
            subject=user,
            target=f"選擇性通知：{Delivery(before).label} → {Delivery(delivery).label}",
            data={"from": before, "to": delivery},
            at=now,
        )
    return True
