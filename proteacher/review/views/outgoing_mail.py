"""寄送失敗郵件 (管理者): the email that failed or is stuck, with its error, and 重新寄送.

The page lives here because notifications imports no app above it; it only calls the outbox's
services (outbox.troubled, outbox.resend), which hold the rules.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST, require_safe

from proteacher.accounts.decorators import roles_required
from proteacher.accounts.models import Role
from proteacher.notifications import outbox
from proteacher.notifications.models import OutgoingMail
from proteacher.posted import posted_number
from proteacher.text import clean_text

# The page lists at most this many troubled mails and recent mails; the counts cover all.
SHOWN = 200
RECENT = 50
NOTHING_TO_RESEND = "這封郵件已不是寄送失敗的狀態（可能已由其他管理者重新寄送），沒有重新寄送。"


@roles_required(Role.ADMIN)
@require_safe
def outgoing_mail(request):
    to = clean_text(request.GET.get("to", "")).strip()[:254]
    recent = OutgoingMail.objects.order_by("-pk")  # the primary key serves it; rows are added in time order
    if to:
        recent = recent.filter(to__iexact=to)
    counts = dict(OutgoingMail.objects.order_by().values_list("status").annotate(n=Count("pk")))
    context = {
        "troubled": list(outbox.troubled()[:SHOWN]),
        "recent": list(recent[:RECENT]),
        "to": to,
        "counts": [(label, counts.get(status, 0)) for status, label in OutgoingMail.Status.choices],
        "failed_count": counts.get(OutgoingMail.Status.FAILED, 0),
        "shown": SHOWN,
        "lease_seconds": int(outbox.lease().total_seconds()),
        "overdue_minutes": int(outbox.OVERDUE.total_seconds() // 60),
        "max_attempts": settings.NOTIFICATION_MAIL_MAX_ATTEMPTS,
    }
    return render(request, "review/outgoing_mail.html", context)


@roles_required(Role.ADMIN)
@require_POST
def resend(request):
    if request.POST.get("all") == "1":
        moved = outbox.resend(request=request)
        if moved:
            messages.success(request, f"已將 {len(moved)} 封寄送失敗的郵件重新排入寄送。")
        else:
            messages.info(request, "目前沒有寄送失敗的郵件。")
        return redirect("review:outgoing_mail")
    pk = posted_number(request.POST.get("mail", ""))
    if pk is None:
        messages.error(request, "請選擇要重新寄送的郵件。")
        return redirect("review:outgoing_mail")
    moved = outbox.resend([pk], request=request)
    if moved:
        messages.success(request, f"已將寄給 {moved[0].to} 的郵件重新排入寄送。")
    else:
        messages.warning(request, NOTHING_TO_RESEND)
    return redirect("review:outgoing_mail")
