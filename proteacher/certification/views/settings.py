"""Placeholder, replaced by the real views."""


def type_list(request):
    raise NotImplementedError


type_edit = rules_edit = type_list
