from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect

from proteacher.accounts.models import Role


def roles_required(*roles: Role):
    """Let a view run only for the given roles; everyone else gets 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def teacher_required(view):
    return roles_required(Role.TEACHER)(view)


def verified_teacher_required(view):
    """Teachers who have not finished 教師驗證 are sent there first."""

    @wraps(view)
    @teacher_required
    def wrapper(request, *args, **kwargs):
        profile = getattr(request.user, "profile", None)
        if profile is None or not profile.is_verified:
            messages.info(request, "請先完成教師驗證。")
            return redirect("accounts:verify")
        return view(request, *args, **kwargs)

    return wrapper
