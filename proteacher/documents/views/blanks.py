"""Placeholder, replaced by the real views."""


def download_blank(request, code, fmt):
    raise NotImplementedError
