"""PromQL helpers shared by the deploy/ checks: what the dashboard and the alert rules query.

Standard library only. The PromQL scanner understands the subset of PromQL the shipped
dashboard and rules use (selectors, functions, aggregations with by/without, binary
operators with on/ignoring, strings, range and subquery brackets); it is not a full parser.
Syntax is checked by Prometheus itself (promtool / the query API).
"""

import json
import os
import re

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
ALERTS = os.path.join(REPO, "deploy", "prometheus", "alerts.yml")
DASHBOARD = os.path.join(REPO, "deploy", "grafana", "converge.json")

# The metrics the controller exports (README "Metrics reference") and their labels.
# Prometheus adds `job` and `instance` to every scraped series.
TARGET_LABELS = {"job", "instance"}
_HISTOGRAMS = {
    "converge_reconcile_duration_seconds": {"kind"},
    "converge_api_request_duration_seconds": {"provider", "operation"},
    "converge_pass_duration_seconds": set(),
}
METRICS = {
    "up": set(),
    "converge_resources": {"kind", "provider", "sync", "ready"},
    "converge_reconcile_total": {"kind", "result"},
    "converge_actions_total": {"kind", "action", "result"},
    "converge_api_requests_total": {"provider", "operation", "code"},
    "converge_api_throttled_seconds_total": {"provider"},
    "converge_workqueue_depth": set(),
    "converge_drift_resources": {"kind"},
    "converge_unmanaged_resources": {"provider", "kind"},
    "converge_orphaned_resources": {"provider", "kind"},
    "converge_prune_blocked": set(),
    "converge_spec_revision_info": {"revision"},
    "converge_spec_load_errors_total": set(),
    "converge_spec_valid": set(),
    "converge_last_successful_sync_timestamp_seconds": set(),
    "converge_resync_interval_seconds": set(),
    "converge_build_info": {"version"},
    "converge_git_fetch_total": {"result"},
    "converge_git_last_success_timestamp_seconds": set(),
    "converge_git_webhook_total": {"result"},
    "converge_credentials_expiry_timestamp_seconds": {"provider"},
    "converge_credentials_refresh_total": {"provider", "result"},
}
for _name, _labels in _HISTOGRAMS.items():
    METRICS[_name + "_bucket"] = _labels | {"le"}
    METRICS[_name + "_sum"] = set(_labels)
    METRICS[_name + "_count"] = set(_labels)

# Labels whose matchers select an unhealthy outcome; see relax_outcome_matchers().
OUTCOME_LABELS = {"code", "result", "sync", "ready"}

# How Grafana variables are replaced before a dashboard expression reaches Prometheus.
GRAFANA_SUBSTITUTIONS = [
    ("${__rate_interval}", "1m"),
    ("$__rate_interval", "1m"),
    ("${provider}", ".*"),
    ("$provider", ".*"),
    ("${kind}", ".*"),
    ("$kind", ".*"),
]

_AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count",
                 "count_values", "bottomk", "topk", "quantile"}
_GROUPING = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_KEYWORDS = {"and", "or", "unless", "bool", "offset", "atan2"}
_IDENT = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
_NUMBER = re.compile(r"(0x[0-9a-fA-F]+|[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?|Inf|NaN)",
                     re.IGNORECASE)


class Selector:
    """One vector selector: metric name, matchers [(label, op, value)], span in the text."""

    def __init__(self, name, matchers, start, end):
        self.name = name
        self.matchers = matchers
        self.start = start
        self.end = end

    def text(self, matchers=None):
        ms = self.matchers if matchers is None else matchers
        if not ms:
            return self.name
        return self.name + "{" + ", ".join(f'{l}{op}"{v}"' for l, op, v in ms) + "}"


def _skip_string(expr, i):
    quote = expr[i]
    i += 1
    while i < len(expr) and expr[i] != quote:
        i += 2 if expr[i] == "\\" else 1
    return i + 1


def _parse_matchers(expr, i):
    """expr[i] == '{'. Returns (matchers, index after '}')."""
    matchers = []
    i += 1
    while True:
        while i < len(expr) and expr[i] in " \t\n,":
            i += 1
        if expr[i] == "}":
            return matchers, i + 1
        m = _IDENT.match(expr, i)
        if not m:
            raise ValueError(f"cannot read a label name at {i} in: {expr}")
        label = m.group(0)
        i = m.end()
        while expr[i] in " \t\n":
            i += 1
        op = expr[i:i + 2] if expr[i:i + 2] in ("=~", "!~", "!=") else expr[i]
        if op not in ("=", "=~", "!~", "!="):
            raise ValueError(f"unknown matcher operator {op!r} in: {expr}")
        i += len(op)
        while expr[i] in " \t\n":
            i += 1
        end = _skip_string(expr, i)
        value = json.loads('"' + expr[i + 1:end - 1] + '"') if expr[i] == '"' else expr[i + 1:end - 1]
        matchers.append((label, op, value))
        i = end


def scan(expr):
    """Returns (selectors, grouping_labels) of a PromQL expression."""
    selectors, grouping = [], set()
    i, n = 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "\"'`":
            i = _skip_string(expr, i)
        elif c == "[":
            i = expr.index("]", i) + 1
        elif c == "{":
            matchers, end = _parse_matchers(expr, i)
            selectors.append(Selector("", matchers, i, end))
            i = end
        elif c.isdigit() or (c == "." and i + 1 < n and expr[i + 1].isdigit()):
            m = _NUMBER.match(expr, i)
            i = m.end() if m and m.end() > i else i + 1
            while i < n and (expr[i].isalnum()):  # duration suffixes outside brackets
                i += 1
        else:
            m = _IDENT.match(expr, i)
            if not m:
                i += 1
                continue
            word, start, i = m.group(0), m.start(), m.end()
            j = i
            while j < n and expr[j] in " \t\n":
                j += 1
            nxt = expr[j] if j < n else ""
            if word in _GROUPING:
                if nxt == "(":
                    close = expr.index(")", j)
                    grouping.update(x.strip() for x in expr[j + 1:close].split(",") if x.strip())
                    i = close + 1
            elif word in _KEYWORDS or word in _AGGREGATIONS or word.lower() in ("inf", "nan"):
                pass
            elif nxt == "(":
                pass  # function call
            elif nxt == "{":
                matchers, end = _parse_matchers(expr, j)
                selectors.append(Selector(word, matchers, start, end))
                i = end
            else:
                selectors.append(Selector(word, [], start, i))
    return selectors, grouping


def relax_outcome_matchers(expr):
    """`expr` with matchers on outcome labels (code, result, sync, ready) removed.

    An error panel such as rate(converge_api_requests_total{code!="0"}[1m]) is empty while
    everything is healthy; relaxed, it shows whether the rest of the query has data.
    """
    selectors, _ = scan(expr)
    out, pos = [], 0
    for s in selectors:
        if not s.name:
            continue
        kept = [m for m in s.matchers if m[0] not in OUTCOME_LABELS]
        out.append(expr[pos:s.start])
        out.append(s.text(kept))
        pos = s.end
    out.append(expr[pos:])
    return "".join(out)


def _top_level_split(expr, operators):
    """Index and operator of the first operator in `operators` outside (), [], {} and strings."""
    depth, i, n = 0, 0, len(expr)
    while i < n:
        c = expr[i]
        if c in "\"'`":
            i = _skip_string(expr, i)
            continue
        if c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0:
            for op in operators:
                if expr.startswith(op, i):
                    return i, op
        i += 1
    return -1, None


def probe_for_alert(expr):
    """The part of an alert expression that must return data while everything is healthy.

    An alert expression is usually `signal <comparison> threshold`; healthy, the comparison
    filters everything out, so the probe is the left-hand side (`signal`). `absent(x)` is
    empty while x exists, so its probe is x.
    """
    expr = expr.strip()
    idx, op = _top_level_split(expr, [">=", "<=", "==", "!=", ">", "<"])
    if idx >= 0:
        expr = expr[:idx].strip()
    m = re.fullmatch(r"absent\((.*)\)", expr, re.DOTALL)
    if m:
        expr = m.group(1).strip()
    return expr


def grafana_to_promql(expr):
    for var, value in GRAFANA_SUBSTITUTIONS:
        expr = expr.replace(var, value)
    if "$" in expr:
        raise ValueError(f"unsubstituted Grafana variable in: {expr}")
    return expr


def _walk_panels(panels):
    for p in panels:
        yield p
        yield from _walk_panels(p.get("panels", []))


def load_dashboard(path=DASHBOARD):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def dashboard_targets(dashboard):
    """[(where, grafana_expr, legend_format)] for every panel target."""
    out = []
    for p in _walk_panels(dashboard.get("panels", [])):
        for t in p.get("targets", []):
            where = f'panel {p.get("id")} "{p.get("title")}" target {t.get("refId")}'
            out.append((where, t["expr"], t.get("legendFormat", "")))
    return out


def dashboard_variable_queries(dashboard):
    """[(variable name, metric, label)] for every label_values(metric, label) variable."""
    out = []
    for v in dashboard.get("templating", {}).get("list", []):
        if v.get("type") != "query":
            continue
        q = v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
        m = re.fullmatch(r"\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*,\s*(\w+)\s*\)\s*", q)
        if not m:
            raise ValueError(f"variable {v['name']}: only label_values(metric, label) is supported, got {q}")
        out.append((v["name"], m.group(1), m.group(2)))
    return out


def alert_rules(path=ALERTS):
    """[(alert name, expr)] read from alerts.yml without a YAML library.

    Understands the layout alerts.yml uses: `- alert: NAME` followed by `expr: ONE LINE`
    or `expr: |` and an indented block.
    """
    rules, name = [], None
    lines = open(path, encoding="utf-8").read().splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        m = re.match(r"\s*- alert:\s*(\S+)\s*$", line)
        if m:
            name = m.group(1)
        m = re.match(r"(\s*)expr:\s*(.*)$", line)
        if m:
            value = m.group(2).strip()
            if value in ("|", "|-", ">", ">-"):
                indent = len(m.group(1))
                block = []
                i += 1
                while i < len(lines) and (not lines[i].strip() or
                                          len(lines[i]) - len(lines[i].lstrip()) > indent):
                    block.append(lines[i].strip())
                    i += 1
                value = " ".join(b for b in block if b)
                i -= 1
            rules.append((name, value))
        i += 1
    return rules


def check_labels(expr, legend=""):
    """Problems with metric and label names in one expression (empty list when fine)."""
    problems = []
    selectors, grouping = scan(expr)
    known = set(TARGET_LABELS)
    for s in selectors:
        if not s.name:
            problems.append(f"selector without a metric name: {s.text()}")
            continue
        if s.name not in METRICS:
            problems.append(f"unknown metric {s.name}")
            continue
        allowed = METRICS[s.name] | TARGET_LABELS
        known |= allowed
        for label, _, _ in s.matchers:
            if label not in allowed:
                problems.append(f"{s.name} has no label {label}")
    for label in grouping:
        if label not in known:
            problems.append(f"grouping label {label} is not a label of {sorted(s.name for s in selectors)}")
    result_labels = known
    m = re.match(r"\s*(sum|min|max|avg|count|group)\s+by\s*\(([^)]*)\)", expr)
    if m:
        result_labels = {x.strip() for x in m.group(2).split(",") if x.strip()}
    for label in re.findall(r"\{\{\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*\}\}", legend):
        if label not in result_labels:
            problems.append(f"legend uses {{{{{label}}}}}, not a label of the result")
    if not selectors:
        problems.append("expression selects no metric")
    return problems
