"""Periodic jobs of the background worker (`manage.py run_worker`).

An app registers its jobs once, from its AppConfig.ready():

    from proteacher.worker import register_job
    register_job("close_expired_appeal_windows", appeals.close_expired_windows, every_seconds=300)

The worker runs every job when it starts and then whenever `every_seconds` have passed since the
job last ran in that process. Several workers on several machines each keep their own clock, so
a job may run on two machines at nearly the same moment: every job must be safe to run twice and
concurrently (build it on `workflow.transition()`, which locks and refuses a case already moved,
or on a conditional UPDATE). A job takes no arguments; what it returns is logged.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Job:
    name: str
    function: Callable[[], object]
    every_seconds: int


# By name, so that registering again (ready() may run more than once in tests) replaces.
_jobs: dict[str, Job] = {}


def register_job(name: str, function: Callable[[], object], every_seconds: int) -> Job:
    if every_seconds <= 0:
        raise ValueError(f"Job {name!r} must run at an interval of at least one second.")
    job = Job(name=name, function=function, every_seconds=every_seconds)
    _jobs[name] = job
    return job


def unregister_job(name: str) -> None:
    _jobs.pop(name, None)


def registered_jobs() -> list[Job]:
    return list(_jobs.values())
