"""The processes under test: nats-server, the shard's nodes and the executors."""
import http.client
import os
import signal
import subprocess
import time

from .net import EXECUTORS, HOST, NODES, http_json, port_open

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
            raise SystemExit("chaos: nats/tock.yaml no longer says ack_wait: 60s; update ops/chaos_lib/cluster.py")
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
