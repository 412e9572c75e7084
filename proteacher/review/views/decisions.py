"""Placeholder, replaced by the real views."""


def decide(request, pk):
    raise NotImplementedError


appeal_intake = decide
