"""A form posted after the session ended (idle for SESSION_IDLE_MINUTES, or the browser closed) is
kept, not thrown away.

Such a POST arrives with nobody signed in. What it carries is put into the new anonymous session
under the form's address, and the teacher is sent to sign in with next= the form.
django.contrib.auth.login() keeps an anonymous session's data when it signs someone in (it only
gives the session a new key), and so does the SSO login. Back on the form, which only the case's
teacher can open, the kept text becomes the slot's draft (certification.drafts) and the page shows
it to be confirmed with 儲存.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.dateparse import parse_datetime

from proteacher.documents.catalogue import UnknownTemplate, get_template

SESSION_KEY = "kept_forms"
# A session keeps the latest few forms; an older one is dropped first.
MAX_KEPT = 5
NOT_KEPT = ("csrfmiddlewaretoken", "action")


def form_path(pk: int, slot_code: str) -> str:
    return reverse("certification:slot_edit", args=[pk, slot_code])


def _is_online(request) -> bool:
    code = request.POST.get("template") or request.GET.get("template")
    if request.FILES or not code:
        return False
    try:
        return not get_template(code).is_upload
    except UnknownTemplate:
        return False


def keep_post(request, pk: int, slot_code: str) -> bool:
    """Keep what an online form posted in the (anonymous) session; False for anything else."""
    if not _is_online(request):
        return False
    kept = dict(request.session.get(SESSION_KEY, {}))
    path = form_path(pk, slot_code)
    kept.pop(path, None)
    kept[path] = {
        "post": {name: values for name, values in request.POST.lists() if name not in NOT_KEPT},
        "at": timezone.now().isoformat(),
    }
    while len(kept) > MAX_KEPT:
        kept.pop(next(iter(kept)))
    request.session[SESSION_KEY] = kept
    return True


class KeptPost:
    def __init__(self, entry: dict):
        self.post = MultiValueDict(entry["post"])
        self.at = parse_datetime(entry["at"])

    @property
    def template_code(self) -> str:
        return self.post.get("template", "")


def take_post(request, pk: int, slot_code: str, template_code: str) -> KeptPost | None:
    """The form kept for this slot and template, removed from the session (None when there is
    none; what was kept for another template of the slot stays for its own page)."""
    kept = request.session.get(SESSION_KEY)
    path = form_path(pk, slot_code)
    if not kept or path not in kept or KeptPost(kept[path]).template_code != template_code:
        return None
    kept = dict(kept)
    entry = kept.pop(path)
    if kept:
        request.session[SESSION_KEY] = kept
    else:
        del request.session[SESSION_KEY]
    return KeptPost(entry)


def keeps_post_when_signed_out(view):
    """Before the sign-in redirect of a form's page: a POST without a session is kept first."""

    @wraps(view)
    def wrapper(request, pk, slot_code, *args, **kwargs):
        if request.method == "POST" and not request.user.is_authenticated:
            keep_post(request, pk, slot_code)
            return redirect_to_login(request.get_full_path())
        return view(request, pk, slot_code, *args, **kwargs)

    return wrapper
