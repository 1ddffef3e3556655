#!/usr/bin/env python3
"""The metric-contract half of ops/check-observability (which also runs promtool); standard library only.

  ops/check-observability.py contract   METRICS DASHBOARD FILE...   check names, labels and the dashboard's shape;
                                                                    print the dashboard's PromQL as a rules file
                                                                    (JSON) on stdout, for promtool check rules
  ops/check-observability.py catalog    METRICS SWIFT               the contract against the code's metric catalog
                                                                    (Sources/TockMetrics/MetricCatalog.swift)
  ops/check-observability.py scrape     METRICS URL...              compare live /metrics pages with the contract

METRICS is ops/prometheus/metrics.txt. Every word tock_... in the dashboard and in each FILE (the alert rules and
their tests) must be a metric of the contract, or a histogram's _bucket, _sum or _count series; the label names in
selectors and in by/without/on/ignoring/group_* clauses must be the contract's labels, job, instance or le; and
the dashboard must use every metric of the contract. Errors go to stderr, one a line; the exit status is 1 if any.
"""
import json
import re
import sys
import urllib.request

HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")
TARGET_LABELS = {"job", "instance"}
NAME = re.compile(r"(?<![A-Za-z0-9_:])tock_[a-z0-9_]+")
SELECTOR = re.compile(r"(?<![A-Za-z0-9_:])(tock_[a-z0-9_]+)\s*\{([^}]*)\}")
MATCHER = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*(?:=~|!~|!=|=)")
GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)")

errors = []


def error(message):
    errors.append(message)


def load_contract(path):
    metrics = {}
    for number, line in enumerate(open(path, encoding="utf-8"), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 4 or fields[1] not in ("counter", "gauge", "histogram") or fields[2] not in ("shard", "executor"):
            sys.exit(f"{path}:{number}: expected NAME counter|gauge|histogram shard|executor LABELS (or -)")
        name, kind, where, labels = fields
        if kind == "counter" and not name.endswith("_total"):
            sys.exit(f"{path}:{number}: counter {name} should end in _total")
        metrics[name] = {"type": kind, "where": where,
                         "labels": set() if labels == "-" else set(labels.split(","))}
    return metrics


def resolve(name, metrics):
    """The contract metric a series name belongs to, and whether it is a histogram's le-carrying _bucket."""
    if name in metrics:
        if metrics[name]["type"] == "histogram":
            return None, f"{name} is a histogram: use {name}_bucket, _sum or _count"
        return name, None
    for suffix in HISTOGRAM_SUFFIXES:
        base = name[: -len(suffix)]
        if name.endswith(suffix) and metrics.get(base, {}).get("type") == "histogram":
            return base, None
    return None, f"{name} is not in the metric contract"


def check_text(where, text, metrics):
    """Names, selector labels and grouping labels in one file's text (PromQL, YAML or JSON alike)."""
    used = set()
    for name in set(NAME.findall(text)):
        base, problem = resolve(name, metrics)
        if problem:
            error(f"{where}: {problem}")
        else:
            used.add(base)
    for name, body in SELECTOR.findall(text):
        base, _ = resolve(name, metrics)
        if base is None:
            continue
        allowed = metrics[base]["labels"] | TARGET_LABELS | ({"le"} if name.endswith("_bucket") else set())
        for label in MATCHER.findall(body):
            if label not in allowed:
                error(f"{where}: {name} has no label {label} (contract: {', '.join(sorted(metrics[base]['labels'])) or 'none'})")
    every_label = set().union(*(m["labels"] for m in metrics.values())) | TARGET_LABELS | {"le"}
    for group in GROUPING.findall(text):
        for label in filter(None, (part.strip() for part in group.split(","))):
            if label not in every_label:
                error(f"{where}: grouping by {label}, which no Tock metric has")
    return used


def dashboard_queries(dashboard):
    """(where, expr) for every panel target, nested row panels included."""
    def walk(panels):
        for panel in panels:
            yield panel
            yield from walk(panel.get("panels", []))
    for panel in walk(dashboard.get("panels", [])):
        for target in panel.get("targets", []):
            yield f"panel_{panel.get('id')}_{target.get('refId')}", target.get("expr")


def check_dashboard(path, metrics):
    try:
        dashboard = json.load(open(path, encoding="utf-8"))
    except ValueError as e:
        error(f"{path}: not JSON: {e}")
        return set(), []
    if not isinstance(dashboard.get("schemaVersion"), int):
        error(f"{path}: no schemaVersion")
    variables = {v.get("name"): v for v in dashboard.get("templating", {}).get("list", [])}
    if variables.get("datasource", {}).get("type") != "datasource" or variables["datasource"].get("query") != "prometheus":
        error(f"{path}: needs a Prometheus datasource variable named datasource")
    ids = [p.get("id") for p in dashboard.get("panels", [])]
    if len(ids) != len(set(ids)) or None in ids:
        error(f"{path}: panel ids must be present and unique")
    # Panels must not overlap on Grafana's 24-column grid.
    cells = {}
    for panel in dashboard.get("panels", []):
        g = panel.get("gridPos", {})
        if g.get("x", 0) + g.get("w", 0) > 24:
            error(f"{path}: panel {panel.get('id')} is wider than the grid")
        for x in range(g.get("x", 0), g.get("x", 0) + g.get("w", 0)):
            for y in range(g.get("y", 0), g.get("y", 0) + g.get("h", 0)):
                if (x, y) in cells:
                    error(f"{path}: panels {cells[(x, y)]} and {panel.get('id')} overlap")
                    break
                cells[(x, y)] = panel.get("id")
            else:
                continue
            break
    queries = []
    for where, expr in dashboard_queries(dashboard):
        if not expr:
            error(f"{path}: {where} has no expr")
            continue
        queries.append((where, expr))
    for panel in dashboard.get("panels", []):
        if panel.get("type") != "row" and panel.get("datasource", {}).get("uid") != "${datasource}":
            error(f"{path}: panel {panel.get('id')} does not use the ${{datasource}} variable")
    used = check_text(path, json.dumps(dashboard), metrics)
    # label_values(metric, label) in variable queries.
    for variable in variables.values():
        query = variable.get("query")
        query = query.get("query", "") if isinstance(query, dict) else query or ""
        for metric, label in re.findall(r"label_values\(\s*(tock_[a-z0-9_]+)\s*,\s*(\w+)\s*\)", query):
            base, _ = resolve(metric, metrics)
            if base and label not in metrics[base]["labels"] | TARGET_LABELS:
                error(f"{path}: variable {variable.get('name')}: {metric} has no label {label}")
    for name in sorted(set(metrics) - used):
        error(f"{path}: no panel uses {name}")
    return used, queries


def promql(expr):
    """A dashboard expr with Grafana's variables replaced, so promtool can parse it."""
    expr = re.sub(r"\$(?:__rate_interval|__interval|__range)|\$\{(?:__rate_interval|__interval|__range)\}", "5m", expr)
    return re.sub(r"\$\{[A-Za-z0-9_]+(?::[a-z]+)?\}|\$[A-Za-z0-9_]+", ".*", expr)


def contract(argv):
    metrics_path, dashboard_path, *files = argv
    metrics = load_contract(metrics_path)
    _, queries = check_dashboard(dashboard_path, metrics)
    for path in files:
        check_text(path, open(path, encoding="utf-8").read(), metrics)
    rules = {"groups": [{"name": "dashboard", "rules": [
        {"record": f"dashboard_{where}", "expr": promql(expr)} for where, expr in queries]}]}
    json.dump(rules, sys.stdout, indent=1)
    print(f"contract: {len(metrics)} metrics; the dashboard uses all of them in {len(queries)} queries; "
          f"{len(files)} rule files checked", file=sys.stderr)


def catalog(argv):
    """The contract lists exactly the catalog's metrics, with the same types."""
    metrics_path, swift_path = argv
    metrics = load_contract(metrics_path)
    source = open(swift_path, encoding="utf-8").read()
    code = dict(re.findall(r'name:\s*"(tock_[a-z0-9_]+)",\s*kind:\s*\.(counter|gauge|histogram)', source))
    if not code:
        error(f"{swift_path}: no metric found (name: \"tock_...\", kind: .counter|.gauge|.histogram)")
    for name in sorted(set(code) - set(metrics)):
        error(f"{swift_path} defines {name} ({code[name]}), which {metrics_path} does not list")
    for name in sorted(set(metrics) - set(code)):
        error(f"{metrics_path} lists {name}, which {swift_path} does not define")
    for name in sorted(set(code) & set(metrics)):
        if code[name] != metrics[name]["type"]:
            error(f"{name}: {swift_path} makes it a {code[name]}, {metrics_path} a {metrics[name]['type']}")
    print(f"catalog: {len(code)} metrics in {swift_path}, {len(metrics)} in {metrics_path}", file=sys.stderr)


def scrape(argv):
    """Every tock_ family a live /metrics page exports must be in the contract with the same type and labels; lists
    what is missing per kind of process (a follower exports no tock_stream_/tock_consumer_ metrics; that is fine)."""
    metrics_path, *urls = argv
    metrics = load_contract(metrics_path)
    for url in urls:
        try:
            text = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
        except Exception as e:  # noqa: BLE001 - any failure is reported the same way
            error(f"{url}: {e}")
            continue
        families = {}
        for name, kind in re.findall(r"^# TYPE (tock_[a-z0-9_]+) (\w+)", text, re.M):
            # OpenMetrics names a counter's family without its _total suffix.
            if kind == "counter" and name not in metrics and name + "_total" in metrics:
                name += "_total"
            families[name] = kind
        samples = set(re.findall(r"^(tock_[a-z0-9_]+)", text, re.M))
        for name in samples - set(families):
            base, problem = resolve(name, metrics)
            if problem:
                error(f"{url}: {problem}")
        # Each series carries exactly the contract's labels (and le on a histogram's buckets).
        for name, body in set(re.findall(r"^(tock_[a-z0-9_]+)(?:\{(.*)\})?\s", text, re.M)):
            base = name if name in metrics else resolve(name, metrics)[0]
            if base is None:
                continue
            labels = set(re.findall(r'([A-Za-z_][A-Za-z0-9_]*)="', body or ""))
            expected = metrics[base]["labels"] | ({"le"} if name.endswith("_bucket") and base != name else set())
            if labels != expected:
                error(f"{url}: {name} has labels {sorted(labels)}, the contract says {sorted(expected)}")
        for name, kind in sorted(families.items()):
            if name not in metrics:
                error(f"{url}: exports {name} ({kind}), which is not in the metric contract")
            elif metrics[name]["type"] != kind:
                error(f"{url}: {name} is a {kind}, the contract says {metrics[name]['type']}")
        kinds = {metrics[n]["where"] for n in families if n in metrics}
        for where in sorted(kinds):
            missing = sorted(n for n, m in metrics.items() if m["where"] == where and n not in families)
            print(f"{url}: {where}: {len(families)} Tock metrics" +
                  (f"; not exported: {', '.join(missing)}" if missing else "; all of the contract's"))
        if not kinds:
            print(f"{url}: no Tock metric")


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "contract":
        contract(sys.argv[2:])
    elif len(sys.argv) == 4 and sys.argv[1] == "catalog":
        catalog(sys.argv[2:])
    elif len(sys.argv) >= 4 and sys.argv[1] == "scrape":
        scrape(sys.argv[2:])
    else:
        sys.exit(__doc__)
    for message in errors:
        print(f"check-observability: {message}", file=sys.stderr)
    sys.exit(1 if errors else 0)


if __name__ == "__main__":
    main()
