def unread_notifications(request):
    """The unread count beside 訊息通知 in the navigation: kept on the user row
    (notifications.services), so a page pays no query for it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": user.unread_notifications}
