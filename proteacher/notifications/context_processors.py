from django.utils.functional import SimpleLazyObject

from proteacher.notifications import selectors


def unread_notifications(request):
    """The unread count beside 訊息通知 in the navigation.

    Lazy: the query runs only when a page draws the navigation, once per page, and never for
    a visitor who has not signed in.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notification_count": SimpleLazyObject(lambda: selectors.unread_count(user))}
