"""The leader watch, for the longest time no node led."""
import threading
import time

from .net import NODES

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
