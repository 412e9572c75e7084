"""Placeholder, replaced by the real views."""


def issuing(request):
    raise NotImplementedError
