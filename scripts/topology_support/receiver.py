"""The webhook receiver: a loopback HTTP server standing for two customer endpoints.

Every POST is one delivery. It records the message id (`svix-id`, else `webhook-id`) per path, answers 200 after
a few milliseconds, and counts how many deliveries of one message to one path are in flight at once: two at the
same time is a concurrent double delivery, which Kaiten's per-endpoint lease is meant to rule out.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class WebhookReceiver:
    def __init__(self, delay: float = 0.003):
        self.delay = delay
        self.lock = threading.Lock()
        self.deliveries: dict[str, Counter] = defaultdict(Counter)
        self.in_flight: Counter = Counter()
        self.concurrent_violations: list[tuple[str, str, int]] = []
        self.total = 0
        self.last_delivery_at = 0.0
        self.without_id = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("content-length") or 0)
                if length:
                    self.rfile.read(length)
                message_id = self.headers.get("svix-id") or self.headers.get("webhook-id")
                message_id = message_id.lower() if message_id else None
                receiver.begin(self.path, message_id)
                try:
                    time.sleep(receiver.delay)
                finally:
                    receiver.end(self.path, message_id)
                self.send_response(200)
                self.send_header("content-length", "2")
                self.send_header("content-type", "text/plain")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *arguments) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="webhook-receiver", daemon=True)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def begin(self, path: str, message_id: str | None) -> None:
        with self.lock:
            self.total += 1
            self.last_delivery_at = time.monotonic()
            if message_id is None:
                self.without_id += 1
                return
            self.deliveries[path][message_id] += 1
            key = (path, message_id)
            self.in_flight[key] += 1
            if self.in_flight[key] > 1:
                self.concurrent_violations.append((path, message_id, self.in_flight[key]))

    def end(self, path: str, message_id: str | None) -> None:
        if message_id is None:
            return
        with self.lock:
            key = (path, message_id)
            self.in_flight[key] -= 1
            if self.in_flight[key] == 0:
                del self.in_flight[key]

    def received_ids(self, path: str) -> set[str]:
        with self.lock:
            return set(self.deliveries[path])

    def duplicates(self, path: str) -> tuple[int, int]:
        """(messages delivered more than once, extra deliveries beyond the first) for one path."""
        with self.lock:
            counts = self.deliveries[path]
            repeated = [count for count in counts.values() if count > 1]
            return len(repeated), sum(count - 1 for count in repeated)
