"""The driver of ops/chaos (run that, not this): a 3-node shard, nats-server, two executors and a recording webhook
sink on loopback; per scenario, jobs submitted at a steady rate with idempotency keys while a fault is injected and
healed, then a bounded wait for every acknowledged job to reach the sink. Prints acknowledged, delivered, lost,
duplicate calls and the longest leader gap per scenario, and exits 1 on any loss.

Python 3 standard library only. The processes are started here rather than by ops/shard-cluster because the
scenarios kill, pause and restart them one by one, on free ports (ops/shard-cluster's are fixed)."""
import argparse
import os
import shutil
import signal
import sys
import tempfile
import time

# The driver's parts live in ops/chaos_lib, beside this file: importable whatever the current directory.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from chaos_lib.cluster import Cluster  # noqa: E402
from chaos_lib.net import HOST, say  # noqa: E402
from chaos_lib.report import print_table, verdict  # noqa: E402
from chaos_lib.scenarios import SCENARIOS, run_scenario, tally_calls  # noqa: E402
from chaos_lib.sink import Calls, start_sink  # noqa: E402
from chaos_lib.watch import LeaderWatch  # noqa: E402


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
