"""The webhook sink the jobs call."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from .net import HOST

# --- The webhook sink: records every call (job, run, idempotency key), answers 200; /slow/<ms>/... sleeps first.

class Calls:
    """Every webhook call the sink received, by idempotency key."""

    def __init__(self, log_path):
        self.lock = threading.Lock()
        self.by_key = {}          # idempotency key -> [(job id, run)]
        self.in_progress = 0
        self.log = open(log_path, "a", encoding="utf-8")

    def record(self, key, job, run, attempt, path):
        with self.lock:
            self.by_key.setdefault(key, []).append((job, run))
            self.log.write(json.dumps({"t": round(time.time(), 3), "key": key, "job": job, "run": run,
                                       "attempt": attempt, "path": path}) + "\n")
            self.log.flush()

    def snapshot(self, keys):
        with self.lock:
            return {key: list(self.by_key[key]) for key in keys if key in self.by_key}


class SinkServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512   # the executors open dozens of connections at once; the default backlog is 5


def start_sink(port, calls):
    class Handler(BaseHTTPRequestHandler):
        def handle_call(self):
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            calls.record(self.headers.get("Idempotency-Key"), self.headers.get("Tock-Job-Id"),
                         self.headers.get("Tock-Run"), self.headers.get("Tock-Attempt"), self.path)
            parts = self.path.split("/")
            if len(parts) > 2 and parts[1] == "slow":
                with calls.lock:
                    calls.in_progress += 1
                try:
                    time.sleep(int(parts[2]) / 1000)
                finally:
                    with calls.lock:
                        calls.in_progress -= 1
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_POST = do_PUT = do_GET = handle_call

        def log_message(self, *args):
            pass

    server = SinkServer((HOST, port), Handler)
    threading.Thread(target=server.serve_forever, name="sink", daemon=True).start()
    return server
