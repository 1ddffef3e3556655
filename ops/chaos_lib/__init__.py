"""The parts of ops/chaos's driver (ops/chaos.py): the processes, the webhook sink, the load, the leader watch, the
scenarios and the report."""
