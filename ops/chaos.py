"""The driver of ops/chaos (run that, not this): a 3-node shard, nats-server, two executors and a recording webhook
sink on loopback; per scenario, jobs submitted at a steady rate with idempotency keys while a fault is injected and
healed, then a bounded wait for every acknowledged job to reach the sink. Prints acknowledged, delivered, lost,
duplicate calls and the longest leader gap per scenario, and exits 1 on any loss.

Python 3 standard library only. The processes are started here rather than by ops/shard-cluster because the
scenarios kill, pause and restart them one by one, on free ports (ops/shard-cluster's are fixed)."""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

NODES = ("n1", "n2", "n3")
EXECUTORS = ("executor-1", "executor-2")
HOST = "127.0.0.1"


def say(message):
    print(f"chaos: {message}", flush=True)


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


# --- HTTP and NATS helpers.

def http_json(port, method, path, body=None, timeout=2.0):
    """(status, decoded JSON or None, headers); raises OSError/HTTPException when the node does not answer."""
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload, headers={"Content-Type": "application/json"} if payload else {})
        response = connection.getresponse()
        data = response.read()
        try:
            decoded = json.loads(data) if data else None
        except ValueError:
            decoded = None
        return response.status, decoded, response.headers
    finally:
        connection.close()


def jetstream_request(port, subject, payload=b"", timeout=5.0):
    """One request on the JetStream API over the plain NATS protocol; the decoded JSON answer."""
    inbox = f"_INBOX.chaos{random.getrandbits(48)}"
    with socket.create_connection((HOST, port), timeout=timeout) as sock:
        reader = sock.makefile("rb")
        if not reader.readline().startswith(b"INFO"):
            raise RuntimeError("nats-server did not greet with INFO")
        sock.sendall(b'CONNECT {"verbose":false,"pedantic":false,"protocol":1}\r\n'
                     + f"SUB {inbox} 1\r\nPUB {subject} {inbox} {len(payload)}\r\n".encode() + payload + b"\r\n")
        while True:
            line = reader.readline()
            if not line:
                raise RuntimeError(f"nats-server closed the connection before answering {subject}")
            if line.startswith(b"PING"):
                sock.sendall(b"PONG\r\n")
            elif line.startswith(b"-ERR"):
                raise RuntimeError(f"nats-server: {line.decode().strip()}")
            elif line.startswith(b"MSG"):
                data = reader.read(int(line.split()[-1]))
                return json.loads(data)


def port_open(port):
    try:
        with socket.create_connection((HOST, port), timeout=0.5):
            return True
    except OSError:
        return False


# --- The processes.

class Cluster:
    """nats-server, the shard's three nodes and the two executors, each startable, killable and restartable."""

    def __init__(self, args, work):
        self.args, self.work = args, work
        base = args.port_base
        self.nats_port = base
        self.http_ports = {node: base + 1 + i for i, node in enumerate(NODES)}
        self.raft_ports = {node: base + 4 + i for i, node in enumerate(NODES)}
        self.metrics_ports = {name: base + 7 + i for i, name in enumerate(EXECUTORS)}
        self.sink_port = base + 9
        self.nats_url = f"nats://{HOST}:{self.nats_port}"
        self.processes = {}
        self.logs = os.path.join(work, "logs")
        os.makedirs(self.logs, exist_ok=True)
        self.secret = os.path.join(work, "cluster-secret")
        with open(os.open(self.secret, os.O_WRONLY | os.O_CREAT, 0o600), "w") as out:
            out.write(os.urandom(32).hex() + "\n")
        # The shipped layout with a short ack wait, so a run held by a killed executor is redelivered in seconds.
        self.layout = os.path.join(work, "tock.yaml")
        with open(os.path.join(args.repo, "nats/tock.yaml"), encoding="utf-8") as source:
            text = source.read()
        if "ack_wait: 60s" not in text:
            raise SystemExit("chaos: nats/tock.yaml no longer says ack_wait: 60s; update ops/chaos.py")
        with open(self.layout, "w", encoding="utf-8") as out:
            out.write(text.replace("ack_wait: 60s", f"ack_wait: {args.ack_wait}s"))

    def command(self, name):
        tock = self.args.tock
        if name == "nats":
            return ["nats-server", "-js", "-a", HOST, "-p", str(self.nats_port), "-sd", os.path.join(self.work, "nats")]
        if name in NODES:
            peers = ",".join(f"{n}={HOST}:{self.raft_ports[n]}" for n in NODES)
            peer_http = ",".join(f"{n}={HOST}:{self.http_ports[n]}" for n in NODES)
            return [tock, "shard", "--shard", "0", "--node", name, "--peers", peers, "--peer-http", peer_http,
                    "--http", f"{HOST}:{self.http_ports[name]}", "--data", os.path.join(self.work, name),
                    "--nats-url", self.nats_url, "--cluster-secret-file", self.secret,
                    # Reconciliation on the scale of a scenario: a run lost by JetStream is found within seconds
                    # of its in-flight bound, which the stream-loss scenario's jobs keep short.
                    "--lost-run-after", "5s", "--reconcile-interval", "2s", "--config", self.layout,
                    "--log-level", self.args.log_level]
        return [tock, "executor", "--config", self.layout, "--nats-url", self.nats_url, "--id", name,
                "--metrics", f"{HOST}:{self.metrics_ports[name]}", "--drain-timeout", "5s",
                "--allow-egress", HOST, "--log-level", self.args.log_level]

    def start(self, name):
        log = open(os.path.join(self.logs, f"{name}.log"), "a", encoding="utf-8")
        log.write(f"# {time.strftime('%H:%M:%S')} started: {' '.join(self.command(name))}\n")
        log.flush()
        # Its own session: a Ctrl-C on ops/chaos reaches only the driver, which then stops everything in order.
        self.processes[name] = subprocess.Popen(self.command(name), stdout=log, stderr=subprocess.STDOUT,
                                                stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()

    def signal(self, name, sig):
        process = self.processes[name]
        if process.poll() is None:
            process.send_signal(sig)
        if sig in (signal.SIGKILL, signal.SIGTERM):
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def stop_all(self):
        for group in (NODES + EXECUTORS, ("nats",)):
            for name in group:
                process = self.processes.get(name)
                if process and process.poll() is None:
                    process.send_signal(signal.SIGCONT)
                    process.terminate()
            for name in group:
                process = self.processes.get(name)
                if process:
                    try:
                        process.wait(timeout=15)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()

    def exited(self):
        return [name for name, process in self.processes.items() if process.poll() is not None]

    def revive(self):
        """Starts again what exited without being told to (a crash); names each with how it ended."""
        ended = []
        for name in self.exited():
            code = self.processes[name].returncode
            how = f"signal {signal.Signals(-code).name}" if code < 0 else f"exit {code}"
            ended.append(f"{name} ({how}; see {os.path.join(self.logs, name + '.log')})")
            self.start(name)
        return ended

    def cluster_view(self, node, timeout=0.25):
        try:
            status, view, _ = http_json(self.http_ports[node], "GET", "/v1/cluster", timeout=timeout)
            return view if status == 200 else None
        except (OSError, http.client.HTTPException):
            return None

    def leader(self):
        """The node every answering node names as leader, when all three answer and agree."""
        views = [self.cluster_view(node, timeout=1.0) for node in NODES]
        leaders = {view.get("leader") for view in views if view}
        if len(leaders) == 1 and None not in leaders and all(views):
            return leaders.pop()
        return None

    def healthy(self):
        if self.exited() or not port_open(self.nats_port) or self.leader() is None:
            return False
        for name in EXECUTORS:
            try:
                if http_json(self.metrics_ports[name], "GET", "/healthz", timeout=1.0)[0] != 200:
                    return False
            except (OSError, http.client.HTTPException):
                return False
        return True

    def wait_healthy(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.healthy():
                return True
            time.sleep(0.2)
        return False

    def start_all(self):
        self.start("nats")
        deadline = time.monotonic() + 30
        while True:
            apply = subprocess.run([self.args.tock, "nats", "apply", "--config", self.layout, "--nats-url",
                                    self.nats_url], capture_output=True, text=True)
            if apply.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise SystemExit(f"chaos: tock nats apply failed for 30s: {apply.stderr.strip()}")
            time.sleep(0.2)
        for name in NODES + EXECUTORS:
            self.start(name)
        if not self.wait_healthy(90):
            raise SystemExit(f"chaos: the cluster was not up after 90s (exited: {self.exited()}); logs in {self.logs}")

    def jobs_by_state(self):
        leader = self.leader()
        if leader is None:
            return None
        try:
            status, counts, _ = http_json(self.http_ports[leader], "GET", "/v1/jobs:counts", timeout=5)
        except (OSError, http.client.HTTPException):
            return None
        return counts.get("total") if status == 200 and counts else None


# --- The leader watch: polls /v1/cluster of every node, each from its own thread, and keeps when each node said it
# leads and when it stopped answering.

class LeaderWatch:
    def __init__(self, cluster, interval=0.05, timeout=1.0):
        self.cluster, self.interval, self.timeout = cluster, interval, timeout
        self.events = []    # (monotonic time, node, leads): the node's state from that moment on
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        for node in NODES:
            threading.Thread(target=self.run, args=(node,), name=f"leader-watch-{node}", daemon=True).start()

    def run(self, node):
        while not self.stopped.is_set():
            sent = time.monotonic()
            view = self.cluster.cluster_view(node, timeout=self.timeout)
            # An answer tells the node's role when it came; no answer (refused, or none within the timeout: killed
            # or stopped) means it led nothing from when it was asked. A slow answer is not a gap.
            event = (time.monotonic(), node, view.get("role") == "leader") if view else (sent, node, False)
            with self.lock:
                self.events.append(event)
            self.stopped.wait(self.interval)

    def longest_gap(self, start, end):
        """The longest time within [start, end] when no node led, as the nodes' answers tell it."""
        with self.lock:
            events = sorted(self.events)
        leads = {}
        longest, gap_from = 0.0, None
        for moment, node, leader in events:
            if moment > end:
                break
            leads[node] = leader
            if moment < start:
                continue
            if any(leads.values()):
                if gap_from is not None:
                    longest = max(longest, moment - gap_from)
                gap_from = None
            elif gap_from is None:
                gap_from = moment
        if gap_from is not None:
            longest = max(longest, end - gap_from)
        return longest

    def stop(self):
        self.stopped.set()


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


# --- The scenarios: inject(cluster) does the fault and returns the heal.

def leader_or_fail(cluster):
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        leader = cluster.leader()
        if leader:
            return leader
        time.sleep(0.1)
    raise RuntimeError("no agreed leader to inject the fault into")


def kill_leader(cluster, args):
    leader = leader_or_fail(cluster)
    cluster.signal(leader, signal.SIGKILL)
    say(f"  kill -9 {leader} (the leader); restarting it in {args.down}s")
    time.sleep(args.down)
    return lambda: cluster.start(leader)


def pause_leader(cluster, args):
    leader = leader_or_fail(cluster)
    cluster.signal(leader, signal.SIGSTOP)
    say(f"  SIGSTOP {leader} (the leader) for {args.pause}s")
    time.sleep(args.pause)
    return lambda: cluster.signal(leader, signal.SIGCONT)


def kill_executor(cluster, args):
    # Mid-webhook: only once executor-1 has calls open and the slow sink is holding some.
    name = EXECUTORS[0]
    deadline = time.monotonic() + 10
    in_flight = 0
    while time.monotonic() < deadline:
        try:
            _, status, _ = http_json(cluster.metrics_ports[name], "GET", "/v1/status", timeout=1)
            in_flight = (status or {}).get("in_flight", 0)
        except (OSError, http.client.HTTPException):
            in_flight = 0
        if in_flight > 0 and cluster.calls.in_progress > 0:
            break
        time.sleep(0.05)
    cluster.signal(name, signal.SIGKILL)
    say(f"  kill -9 {name} with {in_flight} runs in flight ({cluster.calls.in_progress} calls open at the sink);"
        f" restarting it in {args.down}s")
    time.sleep(args.down)
    return lambda: cluster.start(name)


def kill_nats(cluster, args):
    cluster.signal("nats", signal.SIGKILL)
    say(f"  kill -9 nats-server; restarting it on the same store in {args.nats_down}s")
    time.sleep(args.nats_down)
    return lambda: cluster.start("nats")


def lose_jobs_stream(cluster, args):
    # The executors stop (drained) so the runs published meanwhile wait in the stream, which is then purged: what an
    # operator's purge, a recreated stream or a broker that lost unsynced writes leaves behind.
    for name in EXECUTORS:
        cluster.signal(name, signal.SIGTERM)
    say(f"  executors stopped; runs pile up in the jobs streams for {args.down}s")
    time.sleep(args.down)
    names = jetstream_request(cluster.nats_port, "$JS.API.STREAM.NAMES").get("streams") or []
    purged = {}
    for stream in sorted(n for n in names if n.startswith("TOCK_JOBS_")):
        answer = jetstream_request(cluster.nats_port, f"$JS.API.STREAM.PURGE.{stream}")
        if not answer.get("success"):
            raise RuntimeError(f"purge of {stream} failed: {answer}")
        purged[stream] = answer.get("purged", 0)
    say(f"  purged {', '.join(f'{s} ({n} messages)' for s, n in purged.items())}; executors restarted")

    def heal():
        for name in EXECUTORS:
            cluster.start(name)
    return heal


SCENARIOS = [
    # (name, what it does, inject, webhook path)
    ("leader-kill", "kill -9 of the shard leader, restarted after --down", kill_leader, ""),
    ("leader-stop", "SIGSTOP of the shard leader for --pause, then SIGCONT", pause_leader, ""),
    ("executor-kill", "kill -9 of an executor with webhooks open (slow sink), restarted after --down",
     kill_executor, "/slow/{slow_ms}"),
    ("nats-kill", "kill -9 of nats-server, restarted on the same store after --nats-down", kill_nats, ""),
    ("stream-loss", "executors stopped, the TOCK_JOBS_* streams purged, executors restarted", lose_jobs_stream, ""),
]


def run_scenario(cluster, watch, args, run_id, name, inject, path):
    say(f"{name}: {args.rate} jobs/s for {args.duration}s, {args.faults} fault(s)")
    if not cluster.wait_healthy(60):
        raise RuntimeError(f"not healthy before the scenario (exited: {cluster.exited()})")
    started = time.monotonic()
    load = Load(cluster, name, path.format(slow_ms=args.slow_ms), args.rate, args.duration, run_id)
    load.start()
    for k in range(args.faults):
        at = started + args.duration * (k + 0.3) / args.faults
        time.sleep(max(0.0, at - time.monotonic()))
        heal = inject(cluster, args)
        heal()
        say(f"  healed at {time.monotonic() - started:.1f}s")
        if not cluster.wait_healthy(60):
            raise RuntimeError(f"not healthy 60s after the heal (exited: {cluster.exited()})")
    load.wait()
    load_ended = time.monotonic()
    keys = dict(load.acknowledged)
    settle = args.settle
    say(f"  load done at {load_ended - started:.1f}s: {len(keys)} acknowledged, {load.retries} submit retries; "
        f"waiting up to {settle}s for the webhooks")
    deadline = load_ended + settle
    settled = None
    while True:
        calls = cluster.calls.snapshot(keys)
        if len(calls) == len(keys):
            if settled is None:
                settled = time.monotonic() - load_ended
            counts = cluster.jobs_by_state()
            if counts is not None and counts.get("scheduled", 0) + counts.get("published", 0) == 0:
                break
        if time.monotonic() > deadline:
            break
        time.sleep(0.2)
    counts = cluster.jobs_by_state() or {}
    unfinished = counts.get("scheduled", 0) + counts.get("published", 0) if counts else None
    lost = sorted(set(keys) - set(calls))
    result = {
        "scenario": name, "keys": keys, "acknowledged": len(keys), "delivered": len(calls), "lost": len(lost),
        "leader_gap": watch.longest_gap(started, time.monotonic()),
        "settled": settled, "unfinished": unfinished, "unacknowledged": len(load.unacknowledged),
        "rejected": load.rejected, "lost_keys": lost[:5], "retries": load.retries,
        # Every process a fault stopped was started again by its heal: one that is gone now crashed.
        "crashed": cluster.revive(),
    }
    tally_calls(result, calls)
    return result


def tally_calls(result, calls):
    """Duplicate calls (a job's run called more than once) and keys called under a job id other than the one the
    submit acknowledged (a second job made for one key), from the calls seen so far."""
    keys = result["keys"]
    duplicates, other_jobs = 0, []
    for key, seen in calls.items():
        per_run = {}
        for job, run in seen:
            per_run[(job, run)] = per_run.get((job, run), 0) + 1
        duplicates += sum(n - 1 for n in per_run.values())
        if {job for job, _ in per_run} != {keys[key]}:
            other_jobs.append(key)
    result["duplicates"], result["other_jobs"] = duplicates, other_jobs


def verdict(result, args):
    failed = result.get("error") or result["crashed"] or result["lost"] or result["other_jobs"] or result["rejected"] or result["unfinished"]
    return "FAIL" if failed else "ok"


def print_table(results, args):
    print()
    print(f"Chaos: {args.rate} jobs/s for {args.duration}s per scenario, {args.faults} fault(s) each, "
          f"ack wait {args.ack_wait}s ({time.strftime('%Y-%m-%d', time.gmtime())}, {os.cpu_count()} cores)")
    print()
    print("| scenario | acknowledged | delivered | lost | duplicate calls | longest leader gap "
          "| all delivered after load | result |")
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        if r.get("error"):
            print(f"| {r['scenario']} | | | | | | | {verdict(r, args)}: {r['error']} |")
            continue
        settled = f"{r['settled']:.1f} s" if r["settled"] is not None else "never"
        print(f"| {r['scenario']} | {r['acknowledged']} | {r['delivered']} | {r['lost']} | {r['duplicates']} "
              f"| {r['leader_gap']:.1f} s | {settled} | {verdict(r, args)} |")
    for r in results:
        notes = []
        if r.get("crashed"):
            notes.append(f"crashed: {', '.join(r['crashed'])}")
        if r.get("unacknowledged"):
            notes.append(f"{r['unacknowledged']} submits never acknowledged within 60s (not counted)")
        if r.get("unfinished"):
            notes.append(f"{r['unfinished']} jobs still scheduled or published in the shard")
        if r.get("rejected"):
            notes.append(f"{len(r['rejected'])} submits refused, first: {r['rejected'][0]}")
        if r.get("other_jobs"):
            notes.append(f"{len(r['other_jobs'])} keys called under another job id than acknowledged: "
                         f"{r['other_jobs'][:3]}")
        if r.get("lost_keys"):
            notes.append(f"lost, first: {', '.join(r['lost_keys'])}")
        for note in notes:
            print(f"  {r['scenario']}: {note}")


def stop_on_term(*_):
    raise KeyboardInterrupt   # the same orderly stop as Ctrl-C


def main():
    parser = argparse.ArgumentParser(prog="ops/chaos")
    parser.add_argument("--tock", required=True)
    parser.add_argument("--repo", required=True)
    parser.add_argument("--port-base", type=int, required=True)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--rate", type=float, default=50)
    parser.add_argument("--faults", type=int, default=1)
    parser.add_argument("--settle", type=float, default=60)
    parser.add_argument("--down", type=float, default=2)
    parser.add_argument("--pause", type=float, default=5)
    parser.add_argument("--nats-down", type=float, default=5)
    parser.add_argument("--slow-ms", type=int, default=250)
    parser.add_argument("--ack-wait", type=int, default=5)
    parser.add_argument("--stream-loss", choices=("run", "skip"), default="run")
    parser.add_argument("--scenarios", default=",".join(s[0] for s in SCENARIOS))
    parser.add_argument("--log-level", default="info")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    chosen = args.scenarios.split(",")
    unknown = set(chosen) - {s[0] for s in SCENARIOS}
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.stream_loss == "skip" and "stream-loss" in chosen:
        chosen.remove("stream-loss")

    work = tempfile.mkdtemp(prefix="tock-chaos.")
    run_id = f"{int(time.time())}"
    cluster = Cluster(args, work)
    cluster.calls = Calls(os.path.join(work, "calls.jsonl"))
    sink = start_sink(cluster.sink_port, cluster.calls)
    signal.signal(signal.SIGTERM, stop_on_term)
    results, watch = [], None
    try:
        say(f"starting nats-server, shard nodes n1..n3, 2 executors and the sink on {HOST} "
            f"(ports {args.port_base}..{args.port_base + 9}); work and logs in {work}")
        cluster.start_all()
        watch = LeaderWatch(cluster)
        say(f"up; leader {cluster.leader()}; load average {os.getloadavg()[0]:.2f}")
        for name, _, inject, path in SCENARIOS:
            if name not in chosen:
                continue
            try:
                results.append(run_scenario(cluster, watch, args, run_id, name, inject, path))
            except (RuntimeError, OSError) as error:
                results.append({"scenario": name, "error": str(error)})
                say(f"{name}: {error}")
                for ended in cluster.revive():
                    say(f"{name}: {ended} had exited; started again for the next scenario")
            say(f"{name}: {verdict(results[-1], args)}")
    except KeyboardInterrupt:
        say(f"interrupted; logs kept in {work}")
        return 130
    finally:
        if watch:
            watch.stop()
        cluster.stop_all()
        sink.shutdown()
    # Counted again at the end: a duplicate can come after its scenario (a redelivery after the ack wait).
    for result in results:
        if "keys" in result:
            tally_calls(result, cluster.calls.snapshot(result["keys"]))
    print_table(results, args)
    failed = [r["scenario"] for r in results if verdict(r, args) == "FAIL"]
    if failed:
        say(f"FAILED: {', '.join(failed)}; logs and every webhook call (calls.jsonl) kept in {work}")
        return 1
    if args.keep:
        say(f"passed; logs kept in {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
        say("passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
