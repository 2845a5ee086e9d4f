#!/usr/bin/env python3
"""End to end: Prometheus scrapes `converge run --sim`; every dashboard and alert query has data.

ctest: prometheus_e2e. Standard library only. Bounded: about 60 s at most, 90 s hard cap.

1. Starts `converge run --sim --git file://TMP/repo --path manifests` (a git repository of
   manifests/examples) `--metrics-addr 127.0.0.1:P1 --state-dir TMP
   --resync 2s` and Debian's `prometheus` on 127.0.0.1:P2 (scrape and rule evaluation every
   1 s, rule_files: deploy/prometheus/alerts.yml), both on free loopback ports.
2. Waits until the converge target is up and has been scraped at least 8 times, and
   /healthz, /readyz and /status on the metrics address answer 200 (what the Kubernetes
   probes use).
3. Checks, through Prometheus's HTTP API (/api/v1/rules, /api/v1/query):
   a. every alert rule of alerts.yml is loaded, has been evaluated, and its health is "ok";
   b. every dashboard target (Grafana variables replaced: $__rate_interval -> 1m,
      $provider and $kind -> .*) and every alert expression evaluates without error;
   c. every metric the expressions select exists (the bare name returns series), and every
      label they match on exists on it (count by (label) (metric{label!=""}) has data):
      no typo'd metric or label names;
   d. no dead panels: every dashboard target returns data, and so does every alert's probe
      (the left-hand side of its comparison, or x for absent(x); see
      promql_exprs.probe_for_alert). Queries that only select unhealthy outcomes
      (code!="0", result="error", ready!="True", ...) are legitimately empty while the
      simulator is healthy; when such a query is empty it is re-run with its matchers on
      the outcome labels (code, result, sync, ready) removed, and that must return data.
      Each relaxed query is listed in the output.
   e. every dashboard variable (label_values(metric, label)) has values.
   Checks c-e are retried every 2 s until they pass or the deadline, because some series
   appear only after the first reconcile passes.
4. Always stops both processes (SIGTERM, then SIGKILL) and removes the temporary dirs.

--metrics-file FILE serves a static exposition file instead of running converge (for
working on the dashboard without a controller build); it is not what ctest runs.
"""

import argparse
import http.server
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_exprs  # noqa: E402

READY_TIMEOUT_S = 45      # converge up + Prometheus has scraped it 8 times
DATA_TIMEOUT_S = 25       # checks c-e retried for at most this long
MIN_SCRAPES = 8


class Failure(Exception):
    pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read().decode("utf-8", "replace")


def tail(path, n=40):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return "(no output)"


class Process:
    def __init__(self, name, argv, log_path, cwd=None):
        self.name, self.log_path = name, log_path
        self.log = open(log_path, "w")
        print(f"starting {name}: {' '.join(argv)}", flush=True)
        self.proc = subprocess.Popen(argv, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, cwd=cwd, start_new_session=True)

    def check_alive(self):
        if self.proc.poll() is not None:
            raise Failure(f"{self.name} exited with status {self.proc.returncode}; "
                          f"its last output:\n{tail(self.log_path)}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        self.log.close()


class StaticMetricsServer:
    """Serves one exposition file at /metrics (the --metrics-file development mode)."""

    def __init__(self, path, port):
        body = open(path, "rb").read()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                code = 200 if self.path.split("?")[0] == "/metrics" else 404
                self.send_response(code)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.end_headers()
                if code == 200:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.name = "static metrics server"

    def check_alive(self):
        pass

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class Prometheus:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"

    def query(self, expr):
        """Result list of an instant query; raises Failure when Prometheus reports an error."""
        url = self.base + "/api/v1/query?" + urllib.parse.urlencode({"query": expr})
        try:
            _, body = http_get(url)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            try:
                err = json.loads(body).get("error", body)
            except ValueError:
                err = body
            raise Failure(f"query failed ({e.code}): {err}\n    query: {expr}")
        data = json.loads(body)
        if data.get("status") != "success":
            raise Failure(f"query failed: {data.get('error')}\n    query: {expr}")
        result = data["data"]["result"]
        if data["data"]["resultType"] == "scalar":
            return [result]
        return result

    def rules(self):
        _, body = http_get(self.base + "/api/v1/rules")
        return [r for g in json.loads(body)["data"]["groups"] for r in g["rules"]]


def write_prometheus_config(path, metrics_port):
    with open(path, "w") as f:
        f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {json.dumps(promql_exprs.ALERTS)}
scrape_configs:
  - job_name: converge
    metrics_path: /metrics
    static_configs:
      - targets: ["127.0.0.1:{metrics_port}"]
""")


def wait_until_scraped(prom, processes, deadline):
    last = "Prometheus did not answer"
    while time.monotonic() < deadline:
        for p in processes:
            p.check_alive()
        try:
            up = prom.query('up{job="converge"}')
            count = prom.query(f'count_over_time(up{{job="converge"}}[1m])')
            if up and up[0]["value"][1] == "1" and count and float(count[0]["value"][1]) >= MIN_SCRAPES:
                return
            last = f"up={up[0]['value'][1] if up else 'none'}, scrapes={count[0]['value'][1] if count else 0}"
        except (urllib.error.URLError, ConnectionError, OSError, Failure) as e:
            last = str(e)
        time.sleep(0.5)
    raise Failure(f"the converge target was not up and scraped {MIN_SCRAPES} times within "
                  f"{READY_TIMEOUT_S} s ({last})")


def check_probes(metrics_port, deadline):
    """The endpoints the Kubernetes probes use answer 200 on the metrics address."""
    pending = ["/healthz", "/readyz", "/status"]
    last = {}
    while pending and time.monotonic() < deadline:
        for path in list(pending):
            try:
                status, _ = http_get(f"http://127.0.0.1:{metrics_port}{path}")
                last[path] = status
                if status == 200:
                    pending.remove(path)
            except urllib.error.HTTPError as e:
                last[path] = e.code
            except (urllib.error.URLError, OSError) as e:
                last[path] = str(e)
        if pending:
            time.sleep(0.5)
    if pending:
        raise Failure("the controller did not answer 200 on " +
                      ", ".join(f"{p} (last: {last.get(p)})" for p in pending) +
                      " (deploy/kubernetes/deployment.yaml probes /healthz and /readyz)")


def check_rules(prom):
    """Check a: all alerts loaded, evaluated and healthy. Returns [(name, expr)] as loaded."""
    expected = [name for name, _ in promql_exprs.alert_rules()]
    deadline = time.monotonic() + 10
    while True:
        loaded = prom.rules()
        evaluated = [r for r in loaded if not r.get("lastEvaluation", "").startswith("0001-")]
        if len(evaluated) == len(loaded) == len(expected) or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    names = [r["name"] for r in loaded]
    if sorted(names) != sorted(expected):
        raise Failure(f"Prometheus loaded alerts {sorted(names)}, alerts.yml declares {sorted(expected)}")
    bad = [f"{r['name']}: health={r.get('health')} {r.get('lastError', '')}" for r in loaded
           if r.get("health") != "ok"]
    if bad:
        raise Failure("alert rules failing to evaluate:\n  " + "\n  ".join(bad))
    return [(r["name"], r["query"]) for r in loaded]


def collect_queries(dashboard, alerts):
    """[(where, expr, must_have_data_expr)] for checks b and d."""
    out = []
    for where, expr, _ in promql_exprs.dashboard_targets(dashboard):
        promql = promql_exprs.grafana_to_promql(expr)
        out.append((where, promql, promql))
    for name, expr in alerts:
        out.append((f"alert {name}", expr, promql_exprs.probe_for_alert(expr)))
    return out


def check_evaluates(prom, queries):
    """Check b: every expression evaluates without error (empty results are fine here)."""
    errors = []
    for where, expr, _ in queries:
        try:
            prom.query(expr)
        except Failure as e:
            errors.append(f"{where}: {e}")
    if errors:
        raise Failure("expressions Prometheus rejects:\n  " + "\n  ".join(errors))


def data_problems(prom, queries, variables):
    """Checks c-e once. Returns (problems, relaxed notes)."""
    problems, relaxed = [], []
    selectors = {}
    for where, expr, _ in queries:
        for s in promql_exprs.scan(expr)[0]:
            for label, _, _ in s.matchers:
                selectors.setdefault(s.name, set()).add(label)
            selectors.setdefault(s.name, set())
    for name, labels in sorted(selectors.items()):
        if not prom.query(name):
            problems.append(f"metric {name} has no series (not exported, or a typo)")
            continue
        for label in sorted(labels):
            if not prom.query(f'count by ({label}) ({name}{{{label}!=""}})'):
                problems.append(f"metric {name} has no label {label}")
    for where, expr, probe in queries:
        if prom.query(probe):
            continue
        loose = promql_exprs.relax_outcome_matchers(probe)
        if loose != probe and prom.query(loose):
            relaxed.append(f"{where}: empty while healthy; with outcome matchers removed it has data")
            continue
        problems.append(f"{where}: no data\n    query: {probe}" +
                        (f"\n    relaxed: {loose}" if loose != probe else ""))
    for name, metric, label in variables:
        if not prom.query(f"count by ({label}) ({metric})"):
            problems.append(f"dashboard variable {name}: label_values({metric}, {label}) is empty")
    return problems, relaxed


def make_git_repo(tmp):
    """A git repository in tmp whose main branch holds manifests/examples as manifests/."""
    repo = os.path.join(tmp, "repo")
    shutil.copytree(os.path.join(promql_exprs.REPO, "manifests", "examples"),
                    os.path.join(repo, "manifests"))
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-C", repo]
    for cmd in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "examples"]):
        subprocess.run(git + cmd, check=True, timeout=30)
    return repo


def run(args, tmp):
    prom_port, metrics_port = free_port(), free_port()
    processes = []
    try:
        if args.metrics_file:
            processes.append(StaticMetricsServer(args.metrics_file, metrics_port))
        else:
            state_dir = os.path.join(tmp, "state")
            os.makedirs(state_dir)
            # The examples are served from a git repository (`run --git`), so the
            # converge_git_* series exist too.
            repo = make_git_repo(tmp)
            processes.append(Process("converge", [
                args.converge, "run", "--sim", "--git", "file://" + repo, "--path", "manifests",
                "--git-interval", "2s",
                "--metrics-addr", f"127.0.0.1:{metrics_port}", "--state-dir", state_dir,
                "--resync", "2s"], os.path.join(tmp, "converge.log"), cwd=promql_exprs.REPO))
        config = os.path.join(tmp, "prometheus.yml")
        write_prometheus_config(config, metrics_port)
        processes.append(Process("prometheus", [
            args.prometheus, f"--config.file={config}",
            f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
            f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
            os.path.join(tmp, "prometheus.log")))
        prom = Prometheus(prom_port)

        started = time.monotonic()
        wait_until_scraped(prom, processes, started + READY_TIMEOUT_S)
        print(f"converge target up and scraped {MIN_SCRAPES}+ times after "
              f"{time.monotonic() - started:.1f} s", flush=True)

        if not args.metrics_file:
            check_probes(metrics_port, time.monotonic() + 10)
        alerts = check_rules(prom)
        dashboard = promql_exprs.load_dashboard()
        queries = collect_queries(dashboard, alerts)
        check_evaluates(prom, queries)
        variables = promql_exprs.dashboard_variable_queries(dashboard)

        deadline = time.monotonic() + DATA_TIMEOUT_S
        while True:
            for p in processes:
                p.check_alive()
            problems, relaxed = data_problems(prom, queries, variables)
            if not problems or time.monotonic() > deadline:
                break
            time.sleep(2)
        for note in relaxed:
            print("note: " + note)
        if problems:
            raise Failure(f"{len(problems)} dashboard/alert queries without data:\n  " +
                          "\n  ".join(problems))
        print(f"OK: {len(alerts)} alert rules healthy; {len(queries)} expressions evaluate and "
              f"have data ({len(relaxed)} only with outcome matchers relaxed); "
              f"{len(variables)} dashboard variables have values")
    except Failure:
        for p in processes:
            if isinstance(p, Process):
                print(f"--- last output of {p.name} ---\n{tail(p.log_path)}", file=sys.stderr)
        raise
    finally:
        for p in reversed(processes):
            p.stop()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--converge", default=os.environ.get("CONVERGE_BINARY", "converge"))
    ap.add_argument("--prometheus", default=shutil.which("prometheus") or "prometheus")
    ap.add_argument("--metrics-file", help="serve this exposition file instead of running converge")
    args = ap.parse_args()

    def on_alarm(*_):
        raise Failure("prometheus_e2e exceeded its 90 s budget")

    signal.signal(signal.SIGALRM, on_alarm)
    signal.alarm(90)
    tmp = tempfile.mkdtemp(prefix="converge-prom-e2e-")
    try:
        run(args, tmp)
        return 0
    except Failure as e:
        print(f"FAIL: {e}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
