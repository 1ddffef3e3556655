"""schemathesis hooks for ops/check-openapi: the webhook and callback URLs of every generated job (`url`,
`callback_url` and `failure_callback_url` of a submit or of each job of a batch, scheduled-db's `webhook_url`) are
pointed at tock dev's sink, so the executor delivers the fuzzed jobs and their callbacks on loopback and never calls
a host elsewhere. The path and query are kept; what is not an absolute http(s) URL is left as generated, for Tock
to reject."""

import os
from urllib.parse import urlsplit, urlunsplit

import schemathesis

SINK = os.environ["TOCK_CHECK_OPENAPI_SINK"]


def to_sink(url):
    if not isinstance(url, str):
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return url
    return urlunsplit(("http", SINK, parts.path, parts.query, parts.fragment))


def redirect(job):
    if isinstance(job, dict):
        for key in ("url", "webhook_url", "callback_url", "failure_callback_url"):
            if key in job:
                job[key] = to_sink(job[key])


@schemathesis.hook
def before_call(context, case, kwargs):
    body = case.body
    if isinstance(body, dict):
        redirect(body)
        if isinstance(body.get("jobs"), list):
            for job in body["jobs"]:
                redirect(job)
