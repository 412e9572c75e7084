"""Placeholder, replaced by the real views."""


def edit_upload(request, case, slot, template, answer):
    raise NotImplementedError


def serve_file(request, case, slot, answer):
    raise NotImplementedError
