"""The scenarios, their faults, and one scenario's run and tally."""
import http.client
import signal
import time

from .load import Load
from .net import EXECUTORS, http_json, jetstream_request, say

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
