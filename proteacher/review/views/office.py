"""Placeholder, replaced by the real views."""


def queue(request):
    raise NotImplementedError


export = case_view = formal_review = queue
