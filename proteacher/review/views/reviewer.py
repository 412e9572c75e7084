"""Placeholder, replaced by the real views."""


def my_cases(request):
    raise NotImplementedError


review_form = my_cases
