#!/usr/bin/env python3
"""Offline checks of deploy/grafana/converge.json and the alert expressions (ctest: grafana_dashboard).

- the dashboard is importable: schemaVersion, a `datasource` variable of type prometheus,
  `provider` and `kind` label_values variables, every panel and target on ${datasource},
  unique panel ids, panels that do not overlap;
- every expression (dashboard targets after Grafana variable substitution, alert rules)
  uses only the metrics and labels the controller exports (promql_exprs.METRICS), and every
  legend {{label}} is a label of the result;
- every dashboard expression parses: they are written into a temporary rule file as
  recording rules and checked with `promtool check rules`.

Usage: check_dashboard.py [--promtool PATH]
"""

import argparse
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_exprs  # noqa: E402

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def check_structure(dash):
    problems = []
    if not 36 <= dash.get("schemaVersion", 0) <= 41:
        problems.append(f"schemaVersion {dash.get('schemaVersion')} is not in 36..41")
    if dash.get("id") is not None:
        problems.append("id must be null so the dashboard imports as new")
    variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
    ds = variables.get("datasource")
    if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
        problems.append("missing variable `datasource` of type datasource, query prometheus")
    for name in ("provider", "kind"):
        v = variables.get(name)
        if not v or v.get("type") != "query" or v.get("datasource") != DATASOURCE:
            problems.append(f"missing query variable `{name}` on ${{datasource}}")
    for name, metric, label in promql_exprs.dashboard_variable_queries(dash):
        if metric not in promql_exprs.METRICS or label not in promql_exprs.METRICS[metric]:
            problems.append(f"variable {name}: {metric} has no label {label}")
    ids, boxes = set(), []
    for p in dash.get("panels", []):
        if p["id"] in ids:
            problems.append(f"duplicate panel id {p['id']}")
        ids.add(p["id"])
        g = p["gridPos"]
        if g["x"] + g["w"] > 24:
            problems.append(f"panel {p['id']} \"{p['title']}\" is wider than the grid")
        for q in boxes:
            if (g["x"] < q["x"] + q["w"] and q["x"] < g["x"] + g["w"] and
                    g["y"] < q["y"] + q["h"] and q["y"] < g["y"] + g["h"]):
                problems.append(f"panel {p['id']} \"{p['title']}\" overlaps another panel")
        boxes.append(g)
        if p["type"] == "row":
            continue
        if p.get("datasource") != DATASOURCE:
            problems.append(f"panel {p['id']} \"{p['title']}\" is not on ${{datasource}}")
        if not p.get("targets"):
            problems.append(f"panel {p['id']} \"{p['title']}\" has no query")
        for t in p.get("targets", []):
            if t.get("datasource") != DATASOURCE:
                problems.append(f"panel {p['id']} target {t.get('refId')} is not on ${{datasource}}")
    return problems


def check_names(dash):
    problems = []
    for where, expr, legend in promql_exprs.dashboard_targets(dash):
        try:
            promql = promql_exprs.grafana_to_promql(expr)
            problems += [f"{where}: {p}" for p in promql_exprs.check_labels(promql, legend)]
        except ValueError as e:
            problems.append(f"{where}: {e}")
    rules = promql_exprs.alert_rules()
    with open(promql_exprs.ALERTS, encoding="utf-8") as f:
        declared = sum(1 for line in f if line.strip().startswith("- alert:"))
    if len(rules) != declared or declared == 0:
        problems.append(f"read {len(rules)} alert expressions but alerts.yml declares {declared} alerts")
    for name, expr in rules:
        problems += [f"alert {name}: {p}" for p in promql_exprs.check_labels(expr)]
    return problems


def check_syntax(dash, promtool):
    lines = ["groups:", "  - name: dashboard", "    rules:"]
    exprs = [promql_exprs.grafana_to_promql(e) for _, e, _ in promql_exprs.dashboard_targets(dash)]
    for i, expr in enumerate(exprs):
        quoted = expr.replace("\\", "\\\\").replace('"', '\\"')
        lines += [f"      - record: dashboard:target_{i}", f'        expr: "{quoted}"']
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        path = f.name
    try:
        r = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True,
                           timeout=60)
    finally:
        os.unlink(path)
    if r.returncode != 0:
        return [f"promtool rejects a dashboard expression:\n{r.stdout}{r.stderr}"]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--promtool", default="promtool")
    args = ap.parse_args()
    dash = promql_exprs.load_dashboard()
    problems = check_structure(dash) + check_names(dash) + check_syntax(dash, args.promtool)
    n_targets = len(promql_exprs.dashboard_targets(dash))
    if problems:
        print(f"FAIL: {len(problems)} problem(s) in {promql_exprs.DASHBOARD} / {promql_exprs.ALERTS}:")
        for p in problems:
            print("  " + p)
        return 1
    print(f"OK: {n_targets} dashboard expressions and {len(promql_exprs.alert_rules())} alert "
          "expressions use only exported metrics and labels and parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
