"""Placeholder, replaced by the real views."""


def assign(request, pk):
    raise NotImplementedError


assign_queue = reviewer_list = reviewer_edit = assign
