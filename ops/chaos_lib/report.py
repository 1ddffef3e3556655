"""The verdict on a scenario and the table printed at the end."""
import os
import time

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
