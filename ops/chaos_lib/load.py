"""The load each scenario runs while its fault is injected and healed."""
import http.client
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from .net import HOST, NODES, http_json

# --- The load: jobs at a steady rate, each submitted until acknowledged, with the same idempotency key each time.

class Load:
    def __init__(self, cluster, scenario, path, rate, duration, run_id):
        self.cluster, self.scenario, self.path = cluster, scenario, path
        self.rate, self.duration, self.run_id = rate, duration, run_id
        self.lock = threading.Lock()
        self.acknowledged = {}      # key -> job id
        self.unacknowledged = []    # keys given up on
        self.rejected = []          # (key, status, body): answers that are neither success nor worth a retry
        self.retries = 0
        self.pool = ThreadPoolExecutor(256, thread_name_prefix=f"submit-{scenario}")
        self.thread = threading.Thread(target=self.run, name=f"load-{scenario}", daemon=True)

    def start(self):
        self.started = time.monotonic()
        self.thread.start()

    def run(self):
        count = max(1, round(self.rate * self.duration))
        for i in range(count):
            delay = self.started + i / self.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            self.pool.submit(self.submit, f"chaos-{self.run_id}-{self.scenario}-{i}", i)
        self.pool.shutdown(wait=True)

    def submit(self, key, i):
        nodes = list(NODES)
        body = {"url": f"http://{HOST}:{self.cluster.sink_port}{self.path}/{self.scenario}/{i}",
                "idempotency_key": key, "body": {"scenario": self.scenario, "i": i}}
        if self.scenario == "stream-loss":
            # A run is looked up in its stream only once it has been out longer than it could legitimately be in
            # flight: attempts x (ack wait + timeout) plus back-off, 2 x (5 s + 2 s) + 1 s = 15 s here, where the
            # defaults (5 attempts of 30 s) give 190 s with this ack wait.
            body.update({"timeout": "2s", "max_attempts": 2})
        deadline = time.monotonic() + 60
        attempt = 0
        while time.monotonic() < deadline:
            node = nodes[(i + attempt) % len(nodes)]
            attempt += 1
            try:
                status, answer, headers = http_json(self.cluster.http_ports[node], "POST", "/v1/jobs", body, timeout=4)
            except (OSError, http.client.HTTPException):
                status, answer, headers = None, None, {}
            if status in (200, 201) and answer and "id" in answer:
                with self.lock:
                    self.acknowledged[key] = answer["id"]
                return
            if status is not None and status != 503 and status < 500:
                with self.lock:
                    self.rejected.append((key, status, answer))
                return
            with self.lock:
                self.retries += 1
            time.sleep(0.2)
        with self.lock:
            self.unacknowledged.append(key)

    def wait(self):
        self.thread.join()
