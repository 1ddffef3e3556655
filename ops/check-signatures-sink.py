"""The webhook receiver of ops/check-signatures: verifies every request with the `standardwebhooks` package (not
with Tock's code) and appends one JSON line per request to RECORDS: path, webhook-id, whether it verified, why not.

  check-signatures-sink.py PORT RECORDS        secrets from the environment: SINK_SECRET_A, _B, _C (whsec_...)

The first path segment names the secret to verify with: /a/... with A, /b/... with B, /c/... with C. A path
/.../flaky answers 503 to the first request of each webhook-id, so the retry can be checked to carry the same id.
Answers 200 when the request verified, 401 when it did not."""
import json
import os
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

port, records = int(sys.argv[1]), sys.argv[2]
secrets = {name: os.environ[f"SINK_SECRET_{name.upper()}"] for name in ("a", "b", "c")}
seen = set()


class Sink(BaseHTTPRequestHandler):
    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        key = self.path.strip("/").split("/")[0]
        headers = {k.lower(): v for k, v in self.headers.items()}
        record = {"path": self.path, "id": headers.get("webhook-id"), "body_bytes": len(body)}
        try:
            Webhook(secrets[key]).verify(body, headers, json_parse=False)
            record["verified"] = True
        except (WebhookVerificationError, KeyError, ValueError) as error:
            record["verified"] = False
            record["error"] = f"{type(error).__name__}: {error}"
        status = 200 if record["verified"] else 401
        if self.path.endswith("/flaky") and record["id"] not in seen:
            seen.add(record["id"])
            status = 503
        record["status"] = status
        with open(records, "a", encoding="utf-8") as out:
            out.write(json.dumps(record) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


ThreadingHTTPServer(("127.0.0.1", port), Sink).serve_forever()
