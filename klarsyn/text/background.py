"""Re-enriching the store in the background after the taxonomy changes, with progress.

When someone edits the taxonomy, every comment read with the old one is stale.
:func:`start_reenrichment` runs :func:`~klarsyn.text.enrichment.enrich_store` in a daemon thread
and returns a :class:`Job` whose ``done``/``total``/``state`` the dashboard polls. There is one
job per store at a time: a second edit while a job runs does not start a second thread, it asks
the running job for another round with a fresh pipeline (the newest taxonomy) once the current
round ends, so the last edit always wins and no comment is left stale.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from klarsyn.storage.store import Store
from klarsyn.text.enrichment import enrich_store
from klarsyn.text.pipeline import TextPipeline

State = Literal["running", "done", "failed"]
#: Builds the pipeline for one round; called in the job's thread, so it reads the taxonomy
#: stored at that moment (e.g. ``lambda: build_pipeline(taxonomy=stored_taxonomy(store))``).
PipelineFactory = Callable[[], TextPipeline]


@dataclass(slots=True)
class Job:
    """A background re-enrichment: how far it is, and how it ended."""

    done: int = 0
    total: int = 0
    state: State = "running"
    error: str | None = None
    rounds: int = 0  # finished rounds; each taxonomy change during a run adds one
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    _again: bool = field(default=False, repr=False)
    _finished: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def fraction(self) -> float:
        """Share of the work done, 0 to 1 (1 once finished, even when there was nothing)."""
        if self.state != "running":
            return 1.0
        return self.done / self.total if self.total else 0.0

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the job has finished; ``False`` if ``timeout`` seconds passed first."""
        return self._finished.wait(timeout)


class _Jobs:
    """The latest job of each open store (forgotten with the store)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_store: weakref.WeakKeyDictionary[Store, Job] = weakref.WeakKeyDictionary()


_JOBS = _Jobs()


def current_job(store: Store) -> Job | None:
    """The running or most recent re-enrichment job of ``store``, if any was started."""
    with _JOBS.lock:
        return _JOBS.by_store.get(store)


def start_reenrichment(store: Store, *, pipeline_factory: PipelineFactory) -> Job:
    """Re-enrich the stale feedback of ``store`` in a background thread; returns its job.

    If a job is already running for ``store``, it is asked for one more round and returned
    instead of starting another.
    """
    with _JOBS.lock:
        running = _JOBS.by_store.get(store)
        if running is not None and running.state == "running":
            running._again = True
            return running
        job = Job()
        _JOBS.by_store[store] = job
    thread = threading.Thread(
        target=_run,
        args=(job, store, pipeline_factory),
        name="klarsyn-reenrichment",
        daemon=True,
    )
    thread.start()
    return job


def _run(job: Job, store: Store, pipeline_factory: PipelineFactory) -> None:
    def progress(done: int, total: int) -> None:
        job.total, job.done = total, done

    try:
        while True:
            enrich_store(
                store, pipeline=pipeline_factory(), now=datetime.now(UTC), progress=progress
            )
            with _JOBS.lock:
                job.rounds += 1
                if not job._again:
                    job.state = "done"
                    break
                job._again = False
    except Exception as exc:  # the thread must report any failure, not die silently
        with _JOBS.lock:
            job.error = f"{type(exc).__name__}: {exc}"
            job.state = "failed"
    finally:
        job.finished_at = datetime.now(UTC)
        job._finished.set()
