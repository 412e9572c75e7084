"""/metrics for Prometheus (prometheus_client's text format), when METRICS_ENABLED.

What it reports:

- `proteacher_http_requests_total{method, status}`: requests answered, by method and status class
  ("2xx" …), counted by portal.probes. Each web server process counts its own: a scrape reads the
  process it happens to reach, unless PROMETHEUS_MULTIPROC_DIR names an empty folder shared by
  the processes of one server (prometheus_client's multiprocess mode), which then adds them up.
- Read from the database at each scrape, so the same from every process: cases per state
  (`proteacher_cases`, the kept StateCount table), mail waiting or failed (`proteacher_mail`) and
  the age of the oldest queued one, the newest worker heartbeat's age and the workers beating
  within HEALTH_WORKER_MAX_AGE_SECONDS, 資料匯入 and 發證 batches not yet done. A database that does
  not answer gives `proteacher_database_up 0` and none of these, never an error.

Who may read it: a client whose address is in METRICS_ALLOWED_IPS (loopback by default), and that
did not come through a proxy the platform does not trust (README, Health and metrics). Anyone else
gets 403; with METRICS_ENABLED off, everyone gets 404.
"""

import datetime
import ipaddress
import logging
import os

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Count, Min, Sum
from django.http import Http404, HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily

from proteacher.accounts.middleware import second_factor_exempt
from proteacher.certification import workflow
from proteacher.certification.models import StateCount
from proteacher.forwarded import client_address
from proteacher.notifications.models import OutgoingMail
from proteacher.portal import heartbeat
from proteacher.portal.health import get_and_head_only
from proteacher.portal.models import WorkerHeartbeat
from proteacher.review.models import ImportRun, IssuingBatch

logger = logging.getLogger("proteacher.metrics")

METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}
REQUESTS = Counter(
    "proteacher_http_requests", "Requests answered, by method and status class.", ["method", "status"], registry=None
)
REFUSED = "此位址不得讀取 /metrics；請將 Prometheus 的位址加入 METRICS_ALLOWED_IPS。"


def count_request(method: str, status: int) -> None:
    REQUESTS.labels(method if method in METHODS else "other", f"{status // 100}xx").inc()


def _networks(entries, name):
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            raise ImproperlyConfigured(f"{name}: {entry!r} is not an address or a network") from None
    return networks


def _within(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def allowed(meta) -> bool:
    """Whether the request (its META, as the server gave it) may read the metrics."""
    peer, forwarded_for = meta.get("REMOTE_ADDR", ""), meta.get("HTTP_X_FORWARDED_FOR", "")
    proxies = _networks(settings.TRUSTED_PROXIES, "TRUSTED_PROXIES")
    if forwarded_for and not _within(peer, proxies):
        # Through a proxy the platform does not trust (one on this machine, say): the peer's
        # address is the proxy's, not the client's.
        return False
    client = client_address(peer, forwarded_for, proxies)
    return _within(client, _networks(settings.METRICS_ALLOWED_IPS, "METRICS_ALLOWED_IPS"))


class PlatformCollector:
    """The platform's queues, read from the database when scraped."""

    def collect(self):
        try:
            families = list(self._families())
        except Exception:
            logger.warning("Metrics: reading the database failed", exc_info=True)
            yield GaugeMetricFamily("proteacher_database_up", "Whether the database answered this scrape.", value=0)
            return
        yield GaugeMetricFamily("proteacher_database_up", "Whether the database answered this scrape.", value=1)
        yield from families

    def _families(self):
        now = timezone.now()

        counted = dict(StateCount.objects.order_by().values_list("state").annotate(n=Sum("count")))
        yield _by_label(
            "proteacher_cases",
            "Cases in each workflow state.",
            "state",
            [spec.code for spec in workflow.STATES],
            counted,
        )

        waiting = [OutgoingMail.Status.QUEUED, OutgoingMail.Status.SENDING, OutgoingMail.Status.FAILED]
        yield _by_label(
            "proteacher_mail",
            "Notification emails waiting or failed.",
            "status",
            waiting,
            _counts(OutgoingMail, waiting),
        )
        oldest = OutgoingMail.objects.filter(status=OutgoingMail.Status.QUEUED).aggregate(oldest=Min("created_at"))
        yield GaugeMetricFamily(
            "proteacher_mail_oldest_queued_age_seconds",
            "Age of the oldest queued email (0: none queued).",
            value=_age(now, oldest["oldest"]),
        )

        newest = heartbeat.newest_beat()
        if newest is not None:
            yield GaugeMetricFamily(
                "proteacher_worker_heartbeat_age_seconds",
                "Age of the newest worker heartbeat.",
                value=_age(now, newest),
            )
        limit = datetime.timedelta(seconds=settings.HEALTH_WORKER_MAX_AGE_SECONDS)
        yield GaugeMetricFamily(
            "proteacher_workers_alive",
            "Workers whose heartbeat is within HEALTH_WORKER_MAX_AGE_SECONDS.",
            value=WorkerHeartbeat.objects.filter(beat_at__gte=now - limit).count(),
        )

        imports = [ImportRun.Status.CHECKING, ImportRun.Status.READY, ImportRun.Status.LOADING]
        yield _by_label(
            "proteacher_imports_pending", "Import runs not yet done.", "status", imports, _counts(ImportRun, imports)
        )
        batches = [IssuingBatch.Status.QUEUED, IssuingBatch.Status.RUNNING]
        yield _by_label(
            "proteacher_issuing_batches_pending",
            "Issuing batches not yet done.",
            "status",
            batches,
            _counts(IssuingBatch, batches),
        )


def _counts(model, statuses) -> dict[str, int]:
    """{status: rows} of the model's rows in those statuses, one grouped query."""
    return dict(model.objects.filter(status__in=statuses).order_by().values_list("status").annotate(n=Count("pk")))


def _by_label(name: str, documentation: str, label: str, values, counts: dict) -> GaugeMetricFamily:
    """A gauge with a sample for each of `values` (0 where `counts` has none), so series never vanish."""
    family = GaugeMetricFamily(name, documentation, labels=[label])
    for value in values:
        family.add_metric([str(value)], counts.get(value) or 0)
    return family


def _age(now, moment) -> float:
    return max(0.0, (now - moment).total_seconds()) if moment is not None else 0.0


def registry() -> CollectorRegistry:
    collectors = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # The request counts of every process of this server, from their files in that folder.
        multiprocess.MultiProcessCollector(collectors)
    else:
        collectors.register(REQUESTS)
    collectors.register(PlatformCollector())
    return collectors


@second_factor_exempt
def metrics(request):
    """Answered by portal.probes while METRICS_ENABLED; otherwise it is a page that does not exist."""
    if not settings.METRICS_ENABLED:
        raise Http404
    return _scrape(request)


@get_and_head_only
def _scrape(request):
    if not allowed(request.META):
        return HttpResponseForbidden(REFUSED, content_type="text/plain; charset=utf-8")
    response = HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
    response["Cache-Control"] = "no-store"
    return response
