"""/healthz and /metrics are answered here, right after the request id and before any other
middleware: no session is read or written (a load balancer's probe sends no cookie, and one that
did must not need the database to be answered), no host name is checked (a probe addresses the
server by its own address, not by ALLOWED_HOSTS), and no HTTPS redirect is given (the probe speaks
to the server behind the proxy that ends TLS). The routes are also in portal.urls, so that they
are named and a request that passed here (METRICS_ENABLED off) is answered by them as usual.

Every request is counted here for /metrics, by method and the status class of its answer.
"""

from django.conf import settings

from proteacher.portal import health, metrics

# As portal.urls names them, without any script prefix (path_info).
HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"


def probes(get_response):
    def middleware(request):
        path = request.path_info
        if path == HEALTH_PATH:
            response = health.healthz(request)
        elif path == METRICS_PATH and settings.METRICS_ENABLED:
            response = metrics.metrics(request)
        else:
            response = get_response(request)
        metrics.count_request(request.method, response.status_code)
        return response

    return middleware
