#!/usr/bin/env python3
"""The scale benchmark behind `make bench`: real `converge` processes against
`converge sim --delays fast` in its own process, on loopback only. Prints one
table, each row a figure with its target (the targets of issue 13), then the
in-process Google Benchmark rows. Counts and CPU time are what to trust on a
shared machine; wall times are labelled with the load average they were taken
under.

  bench/bench.py --converge build-release/converge [--bench build-release/bench/converge_bench]
                 [--n 10000] [--json out.json] [--only validate,fast,slow,edit]
"""
import argparse
import json
import math
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

PAGE_SIZE = 50  # converge's list page size (cli/providers.h WiringOptions::page_size)
TOKEN = "sim-scnet-token"  # the simulator's test token (sim/simulator.h)
CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.read().decode()


def get_json(url):
    return json.loads(get(url))


def wait_for(cond, timeout, step=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(step)
    raise RuntimeError(f"timed out after {timeout}s waiting for {what}")


class Proc:
    """A child process with its output in a log file; CPU time and peak RSS from /proc."""

    def __init__(self, argv, log, env=None):
        self.log = log
        with open(log, "w") as out:
            self.p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                      env={**os.environ, **(env or {})})

    def cpu_seconds(self):
        with open(f"/proc/{self.p.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK

    def peak_rss_mib(self):
        with open(f"/proc/{self.p.pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


class Sim:
    def __init__(self, converge, work):
        self.url = f"http://127.0.0.1:{free_port()}"
        self.proc = Proc([converge, "sim", "--addr", self.url[len("http://"):], "--delays", "fast"],
                         os.path.join(work, "sim.log"))
        wait_for(lambda: self._up(), 15, what="the simulator")

    def _up(self):
        try:
            get(self.url + "/_sim/stats", timeout=1)
            return True
        except OSError:
            return False

    def stats(self):
        return get_json(self.url + "/_sim/stats")["scnet"]

    def calls(self, *ops):
        s = self.stats()
        return sum(s["calls"].get(op, 0) for op in ops)

    def total(self):
        return self.stats()["total_calls"]


def provider_yaml(sim_url, qps):
    return ("apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: scnet}\nspec:\n"
            f"  type: scnet\n  endpoint: {sim_url}\n  token: {{fromEnv: BENCH_SCNET_TOKEN}}\n"
            f"  rateLimit: {{qps: {qps}, burst: {max(1, int(qps))}}}\n")


def instance_yaml(i, memory=1024):
    return ("apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\n"
            f"metadata: {{name: bench-{i}}}\nspec:\n  provider: scnet\n  taskType: jupyter\n"
            "  image: {name: \"j:1\", path: \"r/j:1\"}\n  resourceGroup: TeslaM40\n"
            f"  accelerator: {{type: gpu, count: 1}}\n  memoryMB: {memory}\n")


def write_atomic(path, text):
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    with open(tmp, "w") as f:
        f.write(text)
    os.rename(tmp, path)


def write_manifests(d, n, sim_url, qps):
    os.makedirs(d, exist_ok=True)
    write_atomic(os.path.join(d, "provider.yaml"), provider_yaml(sim_url, qps))
    for i in range(n):
        with open(os.path.join(d, f"bench-{i}.yaml"), "w") as f:
            f.write(instance_yaml(i))


def ready_count(metrics_url):
    n = 0
    for line in get(metrics_url + "/metrics").splitlines():
        if line.startswith("converge_resources{") and 'ready="True"' in line:
            n += int(float(line.rsplit(" ", 1)[1]))
    return n


def start_run(converge, work, manifests, resync, extra=()):
    addr = f"127.0.0.1:{free_port()}"
    proc = Proc([converge, "run", manifests, "--metrics-addr", addr, "--resync", resync,
                 "--state-dir", os.path.join(work, "state"), "--log-level", "warn", *extra],
                os.path.join(work, "run.log"), env={"BENCH_SCNET_TOKEN": TOKEN})
    return proc, "http://" + addr


def run_creates(converge, work, n, qps, resync):
    """converge run from empty: seconds until the simulator has answered all n creates and the
    calls it had by then, seconds until every resource is Ready."""
    sim = Sim(converge, work)
    manifests = os.path.join(work, "m")
    write_manifests(manifests, n, sim.url, qps)
    started = time.monotonic()
    run, murl = start_run(converge, work, manifests, resync)
    wait_for(lambda: sim.calls("CreateContainerInstance") >= n, 900, step=0.02,
             what=f"{n} creates")
    created, calls = time.monotonic() - started, sim.total()
    wait_for(lambda: _ready(murl, n), 600, step=0.1, what=f"{n} resources Ready")
    ready = time.monotonic() - started
    return sim, run, murl, manifests, created, calls, ready


def _ready(murl, n):
    try:
        return ready_count(murl) >= n
    except OSError:
        return False


def steady_state(sim, run, resync_s, periods):
    """List calls, CPU seconds and all calls per resync period, in steady state. The window
    opens when a sweep's burst of list calls has ended (no list for a quiet spell) and closes
    at the end of the first burst at least `periods` resync periods later; counts are divided
    by the whole periods in the window."""
    ops = ("ListContainerInstances", "ListNotebooks")
    quiet = min(0.8, resync_s / 4)

    def after_burst(not_before):
        last, changed = sim.calls(*ops), None
        deadline = time.monotonic() + resync_s * (periods + 3)
        while time.monotonic() < deadline:
            time.sleep(0.02)
            c = sim.calls(*ops)
            now = time.monotonic()
            if c != last:
                last, changed = c, now
            elif changed is not None and now - changed >= quiet and changed >= not_before:
                return last, changed
        raise RuntimeError("no sweep seen in steady state")

    c0, t0 = after_burst(0)
    cpu0, all0 = run.cpu_seconds(), sim.total()
    c1, t1 = after_burst(t0 + resync_s * periods - quiet)
    cpu1, all1 = run.cpu_seconds(), sim.total()
    k = max(1, round((t1 - t0) / resync_s))  # whole periods in the window
    return (c1 - c0) / k, (cpu1 - cpu0) / k, (all1 - all0) / k


def edit_latency(converge, work, edits):
    """Median seconds from a manifest's rename to the simulator's next call."""
    sim = Sim(converge, work)
    manifests = os.path.join(work, "m")
    write_manifests(manifests, 10, sim.url, 1000)
    run, murl = start_run(converge, work, manifests, "1h")
    try:
        wait_for(lambda: _ready(murl, 10), 60, what="10 resources Ready")
        time.sleep(0.5)
        samples = []
        for k in range(edits):
            before = sim.total()
            path = os.path.join(manifests, "bench-3.yaml")
            t = time.monotonic()
            write_atomic(path, instance_yaml(3, memory=2048 if k % 2 == 0 else 1024))
            while sim.total() == before:
                if time.monotonic() - t > 5:
                    raise RuntimeError("no cloud call within 5 s of an edit")
            samples.append(time.monotonic() - t)
            time.sleep(0.3)  # the edit's lookups and actions settle
        return statistics.median(samples), max(samples)
    finally:
        run.stop()
        sim.proc.stop()


def one_shot(argv, env=None):
    """Wall seconds and peak RSS (MiB) of a command run to completion."""
    t = time.monotonic()
    p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                         env={**os.environ, **(env or {})})
    _, status, usage = os.wait4(p.pid, 0)
    return time.monotonic() - t, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def google_benchmarks(binary):
    out = subprocess.run([binary, "--benchmark_format=json", "--benchmark_min_time=0.2"],
                         capture_output=True, text=True, check=True).stdout
    rows = []
    for b in json.loads(out)["benchmarks"]:
        rows.append((b["name"], b["cpu_time"], b["time_unit"],
                     {k: v for k, v in b.items() if k in ("list_calls", "peak_rss_MiB", "items")}))
    return rows


def validate_rows(converge, root, n, rows):
    d = os.path.join(root, "validate")
    write_manifests(d, n, "http://127.0.0.1:9", 1000)
    secs, rss, code = one_shot([converge, "validate", d])
    if code != 0:
        raise RuntimeError(f"converge validate exited {code}")
    rows.append((f"`converge validate` over {n:,} manifests", f"{fmt_s(secs)}, {rss:.0f} MiB",
                 "< 1 s", secs < 1))


def fast_rows(converge, root, n, periods, rows):
    w = os.path.join(root, "fast")
    os.makedirs(w)
    resync_s = 5
    sim, run, murl, manifests, secs, calls, ready = run_creates(converge, w, n, 1000,
                                                                f"{resync_s}s")
    try:
        floor = calls / 1000
        rows.append((f"{n:,} creates from empty, qps 1000: start to the last create's answer "
                     f"(wall; floor = its {calls:,} calls / qps = {floor:.1f} s)",
                     f"{secs:.1f} s, ratio {secs / floor:.2f}", "ratio ≤ 1.10",
                     secs / floor <= 1.10))
        rows.append((f"… and to all {n:,} Ready (one --poll, 2 s, after the last create at "
                     "best)", f"{ready:.1f} s", "-", None))
        lists, cpu, total = steady_state(sim, run, resync_s, periods)
        minimum = math.ceil(n / PAGE_SIZE) + 1  # instances' pages + the notebooks' one
        rows.append((f"list calls per resync, steady state, N={n:,} at {resync_s} s "
                     f"(minimum {minimum}: {math.ceil(n / PAGE_SIZE)} pages of instances + 1 "
                     "of notebooks)", f"{lists:.0f} ({lists / minimum:.2f}× the minimum)",
                     "exactly the minimum", round(lists) == minimum))
        rows.append((f"calls per resync against a describe per resource ({n:,} calls)",
                     f"{total:.0f} ({total / n:.1%} of it)", "-", None))
        rows.append((f"CPU per steady-state resync at {n:,} (mean of {periods})",
                     f"{cpu * 1000:.0f} ms",
                     "≤ 100 ms", cpu <= 0.1))
        rss = run.peak_rss_mib()
        rows.append((f"peak RSS, `converge run` holding {n:,}", f"{rss:.0f} MiB", "≤ 64 MiB",
                     rss <= 64))
        secs_apply, rss_apply, code = one_shot(
            [converge, "apply", manifests, "--state-dir", os.path.join(w, "apply-state")],
            env={"BENCH_SCNET_TOKEN": TOKEN})
        rows.append((f"peak RSS, `converge apply` of {n:,} in sync (exit {code})",
                     f"{rss_apply:.0f} MiB, {fmt_s(secs_apply)}", "≤ 64 MiB", rss_apply <= 64))
    finally:
        run.stop()
        sim.proc.stop()


def slow_rows(converge, root, slow_n, rows):
    w = os.path.join(root, "slow")
    os.makedirs(w)
    sim, run, _, _, secs, calls, _ = run_creates(converge, w, slow_n, 20, "30s")
    run.stop()
    sim.proc.stop()
    floor = calls / 20
    rows.append((f"{slow_n:,} creates through qps 20: start to the last create's answer "
                 f"(wall; floor = its {calls:,} calls / qps = {floor:.1f} s)",
                 f"{secs:.1f} s, ratio {secs / floor:.2f}", "ratio ≤ 1.05", secs / floor <= 1.05))


def fmt_s(s):
    return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--converge", required=True)
    ap.add_argument("--bench", help="converge_bench (Google Benchmark), optional")
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--slow-n", type=int, default=1000, help="creates through qps 20")
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--periods", type=int, default=12,
                    help="steady-state resyncs measured (12 at 5 s span one of run's "
                         "once-a-minute safety polls of the manifests, so its cost is counted "
                         "once, not by chance)")
    ap.add_argument("--json", help="also write the rows as JSON here")
    ap.add_argument("--only", default="validate,fast,slow,edit",
                    help="comma-separated parts to run: validate (validate over n), fast (n creates "
                         "at qps 1000, the steady state, run's and apply's RSS), slow (creates "
                         "through qps 20), edit (edit to first call)")
    args = ap.parse_args()
    only = set(args.only.split(","))
    unknown = only - {"validate", "fast", "slow", "edit"}
    if unknown:
        ap.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}")
    converge = os.path.abspath(args.converge)
    n = args.n
    rows = []  # (measure, result, target, met)
    load = os.getloadavg()
    root = tempfile.mkdtemp(prefix="converge-bench-")
    try:
        # validate over n manifests.
        if "validate" in only:
            validate_rows(converge, root, n, rows)
        # n creates from empty at qps 1000, then the steady state at resync 5 s.
        if "fast" in only:
            fast_rows(converge, root, n, args.periods, rows)
        # slow-n creates through TI-ONE's default qps 20.
        if "slow" in only:
            slow_rows(converge, root, args.slow_n, rows)
        # Edit to first call.
        if "edit" in only:
            w = os.path.join(root, "edit")
            os.makedirs(w)
            median, worst = edit_latency(converge, w, args.edits)
            rows.append((f"manifest edit → first cloud call, median of {args.edits}",
                         f"{fmt_s(median)} (max {fmt_s(worst)})", "< 50 ms", median < 0.05))
    finally:
        shutil.rmtree(root, ignore_errors=True)

    print(f"\nconverge scale benchmark — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, "
          f"{os.cpu_count()} CPUs, load average at start {load[0]:.1f} "
          "(wall times on a loaded machine run long; CPU times and counts do not)\n")
    print("| measure | result | target | met |")
    print("|---|---|---|---|")
    for measure, result, target, met in rows:
        print(f"| {measure} | {result} | {target} | {'-' if met is None else ('yes' if met else 'NO')} |")
    if args.bench:
        print("\nIn-process (Google Benchmark, CPU time per iteration):\n")
        print("| benchmark | CPU | counters |")
        print("|---|---|---|")
        for name, cpu, unit, counters in google_benchmarks(args.bench):
            extra = ", ".join(f"{k} {v:.0f}" for k, v in counters.items())
            print(f"| {name} | {cpu:.3g} {unit} | {extra} |")
    if args.json:
        with open(args.json, "w") as f:
            json.dump([{"measure": m, "result": r, "target": t, "met": ok} for m, r, t, ok in rows],
                      f, indent=2)


if __name__ == "__main__":
    main()
