#!/usr/bin/env python3
"""Consistency checks of deploy/ (ctest: deploy_manifests, deploy_configmap_validate).

The Kubernetes manifests, the systemd unit, the Dockerfile and prometheus.yml must agree on
what the controller really serves: port 9464, /metrics, /healthz, /readyz, the state
directory, the credential files (the Secret volume) and the `converge` job name the alert
rules match on. deploy/kubernetes/prometheusrule.yaml must hold exactly the rules of
deploy/prometheus/alerts.yml.

Usage:
  check_deploy.py                    run the checks
  check_deploy.py --write-rule       regenerate prometheusrule.yaml from alerts.yml
  check_deploy.py --converge BIN     also run `BIN validate` on the ConfigMap's manifests
Needs python3-yaml.
"""

import argparse
import os
import re
import shlex
import subprocess
import sys
import tempfile

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import promql_exprs  # noqa: E402

DEPLOY = os.path.join(promql_exprs.REPO, "deploy")
K8S = os.path.join(DEPLOY, "kubernetes")
RULE_FILE = os.path.join(K8S, "prometheusrule.yaml")
METRICS_PORT = 9464
STATE_DIR = "/var/lib/converge"
MANIFEST_DIR = "/etc/converge/manifests"
CREDENTIALS_DIR = "/etc/converge/credentials"

RULE_HEADER = """\
# Generated from deploy/prometheus/alerts.yml (the same rules; tests/prometheus/check_deploy.py
# fails when they differ). Regenerate with: python3 tests/prometheus/check_deploy.py --write-rule
# Requires the Prometheus Operator; the `release` label must match your Prometheus
# resource's ruleSelector.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: converge
  namespace: converge
  labels:
    app.kubernetes.io/name: converge
    release: prometheus
spec:
"""


def expected_rule_text():
    with open(promql_exprs.ALERTS, encoding="utf-8") as f:
        src = f.read()
    body = src[src.index("groups:"):]
    return RULE_HEADER + "".join("  " + l if l.strip() else l for l in body.splitlines(True))


def load_k8s():
    docs = {}
    for name in sorted(os.listdir(K8S)):
        if name.endswith(".yaml"):
            with open(os.path.join(K8S, name), encoding="utf-8") as f:
                docs[name] = [d for d in yaml.safe_load_all(f) if d]
    return docs


def one(docs, kind):
    found = [d for ds in docs.values() for d in ds if d.get("kind") == kind]
    if len(found) != 1:
        raise AssertionError(f"expected exactly one {kind} in deploy/kubernetes, found {len(found)}")
    return found[0]


def arg_after(args, flag):
    for i, a in enumerate(args):
        if a == flag and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(flag + "="):
            return a.split("=", 1)[1]
    return None


class Checker:
    def __init__(self):
        self.problems = []

    def expect(self, cond, message):
        if not cond:
            self.problems.append(message)

    def kubernetes(self, docs):
        ex = self.expect
        for name, ds in docs.items():
            if name == "kustomization.yaml":
                continue
            for d in ds:
                ex(d.get("apiVersion") and d.get("kind") and d.get("metadata", {}).get("name"),
                   f"{name}: a document without apiVersion/kind/metadata.name")
                if d.get("kind") != "Namespace":
                    ex(d["metadata"].get("namespace") == "converge",
                       f"{name}: {d['kind']} is not in namespace converge")

        kust = docs["kustomization.yaml"][0]
        listed = set(kust.get("resources", []))
        wanted = {n for n in docs if n != "kustomization.yaml" and not n.endswith(".example.yaml")}
        ex(listed == wanted, f"kustomization.yaml resources {sorted(listed)} != files {sorted(wanted)} "
                             "(*.example.yaml are never applied by kustomize)")

        dep = one(docs, "Deployment")
        pod = dep["spec"]["template"]
        spec = pod["spec"]
        ex(dep["spec"].get("replicas") == 1, "Deployment must run exactly one replica")
        ex(dep["spec"].get("strategy", {}).get("type") == "Recreate",
           "Deployment strategy must be Recreate (never two controllers at once)")
        ex(dep["spec"]["selector"]["matchLabels"].items() <= pod["metadata"]["labels"].items(),
           "Deployment selector does not match its pod labels")
        psc = spec.get("securityContext", {})
        ex(psc.get("runAsNonRoot") is True and psc.get("runAsUser", 0) != 0,
           "pod must run as a non-root user")
        c = spec["containers"][0]
        args = c.get("args", [])
        ex(args[:2] == ["run", MANIFEST_DIR], f"container args must start with run {MANIFEST_DIR}")
        ex(arg_after(args, "--metrics-addr") == f"0.0.0.0:{METRICS_PORT}",
           f"--metrics-addr must be 0.0.0.0:{METRICS_PORT} so the Service can reach it")
        ex(arg_after(args, "--state-dir") == STATE_DIR, f"--state-dir must be {STATE_DIR}")
        ports = {p["name"]: p for p in c.get("ports", [])}
        ex(ports.get("metrics", {}).get("containerPort") == METRICS_PORT,
           f"container port `metrics` must be {METRICS_PORT}")
        for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
            get = c.get(probe, {}).get("httpGet", {})
            ex(get.get("path") == path and get.get("port") in ("metrics", METRICS_PORT),
               f"{probe} must GET {path} on the metrics port")
        ex(c.get("resources", {}).get("requests"), "container must declare resource requests")
        csc = c.get("securityContext", {})
        ex(csc.get("readOnlyRootFilesystem") is True, "root filesystem must be read-only")
        ex(csc.get("allowPrivilegeEscalation") is False, "privilege escalation must be off")
        ex("ALL" in csc.get("capabilities", {}).get("drop", []), "all capabilities must be dropped")

        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        volumes = {v["name"]: v for v in spec.get("volumes", [])}
        pvc = one(docs, "PersistentVolumeClaim")
        cm = one(docs, "ConfigMap")
        state = volumes.get(mounts.get(STATE_DIR), {})
        ex(state.get("persistentVolumeClaim", {}).get("claimName") == pvc["metadata"]["name"],
           f"{STATE_DIR} must be mounted from the PersistentVolumeClaim {pvc['metadata']['name']}")
        man = volumes.get(mounts.get(MANIFEST_DIR), {})
        ex(man.get("configMap", {}).get("name") == cm["metadata"]["name"],
           f"{MANIFEST_DIR} must be mounted from the ConfigMap {cm['metadata']['name']}")

        # Credentials come as files from a Secret volume, so a rotated Secret is used without a
        # restart: mounted whole (a subPath mount is never updated), read-only, and every
        # fromFile of the example manifests names one of its keys.
        secret = one(docs, "Secret")
        creds = volumes.get(mounts.get(CREDENTIALS_DIR), {})
        ex(creds.get("secret", {}).get("secretName") == secret["metadata"]["name"],
           f"{CREDENTIALS_DIR} must be mounted from the Secret {secret['metadata']['name']}")
        cmount = [m for m in c.get("volumeMounts", []) if m["mountPath"] == CREDENTIALS_DIR]
        ex(cmount and cmount[0].get("readOnly") is True and "subPath" not in cmount[0],
           f"{CREDENTIALS_DIR} must be mounted read-only and without subPath (never updated)")
        ex(not c.get("envFrom"), "credentials come from the Secret volume (fromFile), not envFrom: "
           "environment variables are not updated when the Secret is rotated")
        manifests_text = "\n".join(cm["data"].values())
        ex(not re.findall(r"fromEnv:", manifests_text),
           "the example Provider manifests must read credentials with fromFile (rotation)")
        from_file = set(re.findall(r"fromFile:\s*" + re.escape(CREDENTIALS_DIR) + r"/([A-Za-z0-9_.-]+)",
                                   manifests_text))
        ex(from_file == set(secret.get("stringData", {})),
           f"Secret keys {sorted(secret.get('stringData', {}))} != fromFile names {sorted(from_file)}")
        ex(all(v.startswith("<") and v.endswith(">") for v in secret.get("stringData", {}).values()),
           "the example Secret must hold <placeholders>, never real values")

        sa = one(docs, "ServiceAccount")
        ex(spec.get("serviceAccountName") == sa["metadata"]["name"], "pod must use the ServiceAccount")

        svc = one(docs, "Service")
        ex(svc["metadata"]["name"] == "converge",
           "Service must be named converge: it becomes the job label the alerts match on")
        ex(svc["spec"]["selector"].items() <= pod["metadata"]["labels"].items(),
           "Service selector does not match the pod labels")
        sports = {p["name"]: p for p in svc["spec"]["ports"]}
        ex(sports.get("metrics", {}).get("port") == METRICS_PORT and
           sports["metrics"].get("targetPort") in ("metrics", METRICS_PORT),
           f"Service port `metrics` must be {METRICS_PORT} -> metrics")

        sm = one(docs, "ServiceMonitor")
        ex(sm["apiVersion"] == "monitoring.coreos.com/v1", "ServiceMonitor apiVersion")
        ex(sm["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items(),
           "ServiceMonitor selector does not match the Service labels")
        ex(svc["metadata"]["namespace"] in sm["spec"].get("namespaceSelector", {}).get("matchNames", []),
           "ServiceMonitor namespaceSelector must include the Service's namespace")
        eps = sm["spec"]["endpoints"]
        ex(len(eps) == 1 and eps[0].get("port") == "metrics" and eps[0].get("path") == "/metrics",
           "ServiceMonitor must scrape port metrics, path /metrics")
        ex("jobLabel" not in sm["spec"], "jobLabel would change the job label the alerts match on")

        rule = one(docs, "PrometheusRule")
        with open(promql_exprs.ALERTS, encoding="utf-8") as f:
            alerts = yaml.safe_load(f)
        ex(rule["spec"] == alerts, "prometheusrule.yaml differs from alerts.yml "
                                   "(run check_deploy.py --write-rule)")
        with open(RULE_FILE, encoding="utf-8") as f:
            ex(f.read() == expected_rule_text(),
               "prometheusrule.yaml is not the generated text (run check_deploy.py --write-rule)")

    def prometheus_config(self):
        with open(os.path.join(DEPLOY, "prometheus", "prometheus.yml"), encoding="utf-8") as f:
            cfg = yaml.safe_load(f)
        self.expect(cfg.get("rule_files") == ["alerts.yml"], "prometheus.yml must load alerts.yml")
        jobs = {j["job_name"]: j for j in cfg["scrape_configs"]}
        job = jobs.get("converge", {})
        self.expect(job.get("metrics_path") == "/metrics", "prometheus.yml: metrics_path /metrics")
        targets = [t for sc in job.get("static_configs", []) for t in sc["targets"]]
        self.expect(targets == [f"127.0.0.1:{METRICS_PORT}"],
                    f"prometheus.yml: job converge must scrape 127.0.0.1:{METRICS_PORT}")

    def systemd(self):
        path = os.path.join(DEPLOY, "systemd", "converge.service")
        keys = {}
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = re.match(r"^([A-Za-z]+)=(.*)$", line.strip())
                if m:
                    keys.setdefault(m.group(1), []).append(m.group(2))
        ex = self.expect
        start = shlex.split(keys.get("ExecStart", [""])[0])
        ex(start[1:3] == ["run", MANIFEST_DIR], f"ExecStart must run {MANIFEST_DIR}")
        ex(arg_after(start, "--metrics-addr") == f"127.0.0.1:{METRICS_PORT}",
           f"ExecStart --metrics-addr must be 127.0.0.1:{METRICS_PORT}")
        ex(keys.get("StateDirectory") == ["converge"] and arg_after(start, "--state-dir") == STATE_DIR,
           f"StateDirectory=converge and --state-dir {STATE_DIR}")
        ex(keys.get("EnvironmentFile"), "credentials come from an EnvironmentFile")
        ex(keys.get("DynamicUser") == ["yes"] or keys.get("User", ["root"])[0] not in ("root", "0"),
           "the service must not run as root")
        for k, v in (("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"), ("ProtectHome", "yes"),
                     ("PrivateTmp", "yes")):
            ex(keys.get(k) == [v], f"{k}={v} expected in converge.service")

    def dockerfile(self):
        with open(os.path.join(DEPLOY, "Dockerfile"), encoding="utf-8") as f:
            text = f.read()
        stages = re.findall(r"^FROM\s+(\S+)", text, re.MULTILINE)
        ex = self.expect
        ex(len(stages) >= 2 and all(s.startswith("debian:bookworm") for s in stages),
           "Dockerfile: multi-stage on debian:bookworm")
        final = text[text.rindex("\nFROM "):]
        users = re.findall(r"^USER\s+(\S+)", final, re.MULTILINE)
        ex(users and users[-1].split(":")[0] not in ("root", "0"), "Dockerfile: final USER non-root")
        ex(re.search(rf"^EXPOSE\s+{METRICS_PORT}\b", final, re.MULTILINE),
           f"Dockerfile: EXPOSE {METRICS_PORT}")
        ex(f'"0.0.0.0:{METRICS_PORT}"' in final and f'"{STATE_DIR}"' in final,
           "Dockerfile: CMD must listen on 0.0.0.0:9464 and use the state dir")

    def manifest_dir_names(self):
        """Examples never call the manifests directory specs/: here it holds JSON Schema."""
        files = [os.path.join(DEPLOY, "Dockerfile"), os.path.join(DEPLOY, "systemd", "converge.service")]
        files += [os.path.join(K8S, n) for n in sorted(os.listdir(K8S)) if n.endswith(".yaml")]
        texts = {}
        for path in files:
            with open(path, encoding="utf-8") as f:
                texts[os.path.relpath(path, promql_exprs.REPO)] = f.read()
        with open(os.path.join(promql_exprs.REPO, "README.md"), encoding="utf-8") as f:
            readme = f.read()
        texts["README.md (## Deployment)"] = readme[readme.index("\n## Deployment"):
                                                   readme.index("\n## Alert runbook")]
        for name, text in texts.items():
            for m in re.finditer(r"\bspecs\b", text):
                line = text.count("\n", 0, m.start()) + 1
                self.problems.append(f"{name}:{line}: names the manifests directory specs/, which "
                                     "holds JSON Schema in this repository; use manifests/")


def validate_configmap(converge):
    docs = load_k8s()
    cm = one(docs, "ConfigMap")
    with tempfile.TemporaryDirectory() as tmp:
        for name, text in cm["data"].items():
            with open(os.path.join(tmp, name), "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([converge, "validate", tmp], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        return [f"`converge validate` rejects the ConfigMap's manifests (exit {r.returncode}):\n"
                f"{r.stdout}{r.stderr}"]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--write-rule", action="store_true")
    ap.add_argument("--converge")
    args = ap.parse_args()
    if args.write_rule:
        with open(RULE_FILE, "w", encoding="utf-8") as f:
            f.write(expected_rule_text())
        print(f"wrote {RULE_FILE}")
        return 0
    if args.converge:
        problems = validate_configmap(args.converge)
    else:
        c = Checker()
        try:
            c.kubernetes(load_k8s())
            c.prometheus_config()
            c.systemd()
            c.dockerfile()
            c.manifest_dir_names()
        except (AssertionError, KeyError, IndexError, ValueError) as e:
            c.problems.append(f"{type(e).__name__}: {e}")
        problems = c.problems
    if problems:
        print(f"FAIL: {len(problems)} problem(s) in deploy/:")
        for p in problems:
            print("  " + p)
        return 1
    print("OK: deploy/ is consistent" + (" and the ConfigMap's manifests validate" if args.converge else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
