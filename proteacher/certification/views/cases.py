"""Placeholder, replaced by the real views."""


def case_page(request, pk):
    raise NotImplementedError


submit = change_template = case_page
