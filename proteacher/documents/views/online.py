"""Placeholder, replaced by the real views."""


def edit_online(request, case, slot, template, answer):
    raise NotImplementedError


def print_online(request, case, slot, template, answer):
    raise NotImplementedError
