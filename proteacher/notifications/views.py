"""Placeholder, replaced by the real views."""


def inbox(request):
    raise NotImplementedError


detail = inbox
