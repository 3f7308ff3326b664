"""The write load: customer creates (unique slugs) and updates, spread over both API replicas by a few threads.

A write whose attempt fails at the transport (a replica killed mid-request, a refused connection) is retried on
the other replica; so is a clean 5xx (a problem+json body, as while PostgreSQL restarts). A create answered 409
after an attempt whose fate was unknown means that attempt committed: it counts as succeeded. Every attempt is
recorded with its time, so the harness can tell how long the API answered errors during a fault.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from .procs import now


@dataclass
class Attempt:
    at: float
    replica: int
    kind: str  # ok, transport, clean-4xx, clean-5xx, bare-5xx, bare-4xx, conflict-after-unknown
    status: int | None
    detail: str = ""


@dataclass
class Write:
    number: int
    operation: str  # create or update
    slug: str
    outcome: str = "pending"  # succeeded, refused, failed
    attempts: list[Attempt] = field(default_factory=list)
    # A 409 on a retry after a transport error or a 5xx: the earlier attempt had committed.
    committed_by_earlier_attempt: bool = False
    violations: list[str] = field(default_factory=list)


def is_problem(response: httpx.Response) -> bool:
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return False
    try:
        body = response.json()
    except ValueError:
        return False
    return isinstance(body, dict) and ("title" in body or "type" in body or "status" in body)


class WriteLoad:
    def __init__(self, api_urls: list[str], token: str, total: int, threads: int, tag: str, rate: float = 0, write_timeout: float = 300):
        self.api_urls = api_urls
        self.token = token
        self.total = total
        self.threads = threads
        self.tag = tag
        self.rate = rate  # the most writes started per second over the run (0: as fast as the clients go)
        self.write_timeout = write_timeout
        self.writes: list[Write] = []
        self.lock = threading.Lock()
        self.next_number = 0
        self.completed = 0
        self.started_at = 0.0
        self.finished_at = 0.0
        self.stop_requested = threading.Event()
        self.down_until = [0.0] * len(api_urls)
        self.round_robin = 0
        self.workers: list[threading.Thread] = []

    # --- running ---------------------------------------------------------------------------------------

    def start(self) -> None:
        self.started_at = now()
        for index in range(self.threads):
            thread = threading.Thread(target=self._drive, args=(index,), name=f"writer-{index}", daemon=True)
            thread.start()
            self.workers.append(thread)

    def wait(self, timeout: float | None = None) -> bool:
        deadline = None if timeout is None else now() + timeout
        for thread in self.workers:
            thread.join(None if deadline is None else max(0.0, deadline - now()))
        return not any(thread.is_alive() for thread in self.workers)

    def stop(self) -> None:
        self.stop_requested.set()

    @property
    def finished(self) -> bool:
        return bool(self.workers) and not any(thread.is_alive() for thread in self.workers)

    def _claim(self) -> int | None:
        with self.lock:
            if self.next_number >= self.total or self.stop_requested.is_set():
                return None
            self.next_number += 1
            number = self.next_number
        if self.rate > 0:
            pause = self.started_at + (number - 1) / self.rate - now()
            if pause > 0:
                time.sleep(pause)  # pacing, so that the faults fall while writes run
        return number

    def _pick_replica(self, avoid: int | None = None) -> int:
        with self.lock:
            self.round_robin += 1
            candidates = [index for index in range(len(self.api_urls)) if index != avoid and self.down_until[index] <= now()]
            if not candidates:
                candidates = [index for index in range(len(self.api_urls)) if index != avoid] or [0]
            return candidates[self.round_robin % len(candidates)]

    def _mark_down(self, replica: int) -> None:
        with self.lock:
            self.down_until[replica] = now() + 1.0

    def _drive(self, thread_index: int) -> None:
        clients = [
            httpx.Client(base_url=url, headers={"authorization": f"Bearer {self.token}"}, timeout=httpx.Timeout(60, connect=5))
            for url in self.api_urls
        ]
        created: list[str] = []
        rng = random.Random(thread_index)
        try:
            while (number := self._claim()) is not None:
                if created and number % 5 == 0:
                    write = Write(number, "update", rng.choice(created))
                else:
                    write = Write(number, "create", f"{self.tag}-{number:06d}")
                with self.lock:
                    self.writes.append(write)
                self._perform(write, clients)
                if write.operation == "create" and write.outcome == "succeeded":
                    created.append(write.slug)
                with self.lock:
                    self.completed += 1
        finally:
            for client in clients:
                client.close()
            with self.lock:
                self.finished_at = max(self.finished_at, now())

    def _perform(self, write: Write, clients: list[httpx.Client]) -> None:
        deadline = now() + self.write_timeout
        replica = self._pick_replica()
        fate_unknown = False  # an earlier attempt may have committed
        delay = 0.05
        while True:
            try:
                if write.operation == "create":
                    response = clients[replica].post("/customers", json={"name": f"Topology {write.number}", "slug": write.slug})
                else:
                    response = clients[replica].put(f"/customers/{write.slug}", json={"name": f"Topology {write.slug} #{write.number}"})
            except httpx.TransportError as error:
                write.attempts.append(Attempt(now(), replica, "transport", None, type(error).__name__))
                fate_unknown = True
                self._mark_down(replica)
                if now() > deadline:
                    write.outcome = "failed"
                    write.violations.append(f"no answer within {self.write_timeout:.0f} s (last: {type(error).__name__})")
                    return
                replica = self._pick_replica(avoid=replica)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            status = response.status_code
            if status in (200, 201, 204):
                write.attempts.append(Attempt(now(), replica, "ok", status))
                write.outcome = "succeeded"
                return
            problem = is_problem(response)
            if status == 409 and write.operation == "create" and fate_unknown and problem:
                write.attempts.append(Attempt(now(), replica, "conflict-after-unknown", status))
                write.committed_by_earlier_attempt = True
                write.outcome = "succeeded"
                return
            if status >= 500:
                write.attempts.append(Attempt(now(), replica, "clean-5xx" if problem else "bare-5xx", status, response.text[:300]))
                if not problem:
                    write.violations.append(f"{status} without a problem body: {response.text[:200]!r}")
                fate_unknown = True
                if now() > deadline:
                    write.outcome = "refused" if problem else "failed"
                    return
                replica = self._pick_replica(avoid=replica)
                time.sleep(delay)
                delay = min(delay * 2, 1.0)
                continue
            write.attempts.append(Attempt(now(), replica, "clean-4xx" if problem else "bare-4xx", status, response.text[:300]))
            if problem:
                write.outcome = "refused"
            else:
                write.outcome = "failed"
                write.violations.append(f"{status} without a problem body: {response.text[:200]!r}")
            return

    # --- what happened ---------------------------------------------------------------------------------

    def snapshot(self) -> list[Write]:
        with self.lock:
            return list(self.writes)

    def outcome_counts(self) -> Counter:
        return Counter(write.outcome for write in self.snapshot())

    def attempt_counts(self) -> Counter:
        counts = Counter()
        for write in self.snapshot():
            for attempt in write.attempts:
                counts[attempt.kind if attempt.kind != "ok" else "ok"] += 1
        return counts

    def attempts_between(self, start: float, end: float) -> list[Attempt]:
        return sorted(
            (attempt for write in self.snapshot() for attempt in write.attempts if start <= attempt.at <= end),
            key=lambda attempt: attempt.at,
        )

    def unavailable_window(self, start: float, end: float) -> tuple[float, int]:
        """Seconds from the first failed attempt after `start` to the first success after the last failure before
        `end`, and how many attempts failed in between (0, 0 when nothing failed)."""
        failures = [attempt for attempt in self.attempts_between(start, end) if attempt.kind not in ("ok", "conflict-after-unknown", "clean-4xx")]
        if not failures:
            return 0.0, 0
        first, last = failures[0].at, failures[-1].at
        later = self.attempts_between(last, float("inf"))
        recovered = next((attempt.at for attempt in later if attempt.at > last and attempt.kind in ("ok", "conflict-after-unknown")), last)
        return recovered - first, len(failures)
