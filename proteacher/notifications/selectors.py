"""Whose messages a user may see: their own, and nobody else's; each with its email's state."""

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from proteacher.notifications.models import Notification, OutgoingMail


def _with_email_status(notifications):
    """Each message's email status read inside the same query (mail_status, shown as
    Notification.email_state), not a query per row: its own email's, or for a message sent in a
    daily digest, the digest's."""
    mail = OutgoingMail.objects.filter(notification=OuterRef("pk")).order_by("-pk").values("status")[:1]
    return notifications.annotate(mail_status=Coalesce(Subquery(mail), F("digest__mail__status")))


def notifications_of(user):
    """The user's 訊息通知, newest first (the (recipient, -created_at) index serves it)."""
    return _with_email_status(Notification.objects.filter(recipient=user).order_by("-created_at", "-id"))


def notification_for(user, pk: int) -> Notification:
    """One of the user's messages; another user's is a 404, as if it did not exist."""
    return get_object_or_404(_with_email_status(Notification.objects.all()), pk=pk, recipient=user)
