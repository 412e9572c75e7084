"""Lets audit.log.record() know the client address of the request being served, so that the
entries a service writes (a transition, a saved form) carry it like those a view writes."""

from proteacher.audit.log import serving


def client_address(get_response):
    def middleware(request):
        with serving(request):
            return get_response(request)

    return middleware
