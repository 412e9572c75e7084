"""Whose messages a user may see: their own, and nobody else's."""

from django.shortcuts import get_object_or_404

from proteacher.notifications.models import Notification


def notifications_of(user):
    """The user's 訊息通知, newest first (the (recipient, -created_at) index serves it)."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def notification_for(user, pk: int) -> Notification:
    """One of the user's messages; another user's is a 404, as if it did not exist."""
    return get_object_or_404(Notification, pk=pk, recipient=user)
