"""訊息通知: the signed-in user's own messages (標題 · 內容 · 時間) and one message with 確認."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from proteacher.notifications import selectors, services

PAGE_SIZE = 20


@login_required
def inbox(request):
    services.recount_unread(request.user)
    page = Paginator(selectors.notifications_of(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "notifications/inbox.html", {"page": page})


@login_required
@require_http_methods(["GET", "POST"])
def detail(request, pk: int):
    notification = selectors.notification_for(request.user, pk)
    if request.method == "POST":
        services.mark_read(notification)
        return redirect("notifications:inbox")
    return render(request, "notifications/detail.html", {"notification": notification})
