#!/usr/bin/env bash
# Runs the built converge image for real (`make test-image`, after `make image`).
# `podman run` needs a container host (this machine's sandbox refuses its setrlimit);
# `buildah run --isolation chroot` runs the image's file system in a chroot that
# shares the host's network namespace, so the server it starts is reachable on the
# host's loopback. Run as root from the repository root.
#
#   1. the image's user is 65532:65532
#   2. `converge validate` on the bundled examples, as 65532: exit 0 and the summary
#      line with the examples' file and resource counts
#   3. `converge run --sim` on them, as 65532: /readyz answers 200 on a loopback
#      port, and /metrics counts every non-Provider example in converge_resources
#
# Usage: tests/image/run_image_test.sh IMAGE
set -euo pipefail

image=${1:?usage: tests/image/run_image_test.sh IMAGE}
examples=manifests/examples
ctr=""
server_pid=""
log=$(mktemp /tmp/converge-image-test.XXXXXX)

fail() {
  echo "make test-image: FAIL: $*" >&2
  exit 1
}

cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    # The server's own process group (setsid below): buildah and the converge it runs.
    kill -TERM -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 50); do
      kill -0 "$server_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  if [ -n "$ctr" ]; then buildah rm "$ctr" >/dev/null || echo "could not remove container $ctr" >&2; fi
  rm -f "$log"
}
trap cleanup EXIT

# --- 1. the image's user ----------------------------------------------------------
user=$(podman image inspect --format '{{.Config.User}}' "$image") ||
  fail "no image $image in podman's storage: run make image first"
[ "$user" = "65532:65532" ] || fail "image $image runs as '$user', expected 65532:65532"
echo "ok: $image runs as $user"

ctr=$(buildah from --pull-never "$image") || fail "buildah from $image failed"
run_in_image() {
  buildah run --isolation chroot --network host --user 65532:65532 "$ctr" -- "$@"
}

# --- 2. converge validate on the bundled examples ---------------------------------
files=$(find "$examples" -maxdepth 1 -name '*.yaml' | wc -l)
kinds=$(grep -h '^kind:' "$examples"/*.yaml | awk '{ print $2 }' | sort | uniq -c)
resources=$(echo "$kinds" | awk '{ n += $1 } END { print n }')
providers=$(echo "$kinds" | awk '$2 == "Provider" { print $1 }')
managed=$((resources - ${providers:-0}))

validate_rc=0
validate_out=$(run_in_image /usr/local/bin/converge validate /usr/share/converge/examples 2>&1) ||
  validate_rc=$?
[ "$validate_rc" = 0 ] ||
  fail "converge validate /usr/share/converge/examples exited $validate_rc in the image: $validate_out"
case "$validate_out" in
  "$files files, $resources resources ("*"): valid") ;;
  *) fail "converge validate printed '$validate_out', expected '$files files, $resources resources (...): valid'" ;;
esac
while read -r count kind; do
  case "$validate_out" in
    *"$count $kind"[,\)]*) ;;
    *) fail "converge validate printed '$validate_out', which lacks '$count $kind'" ;;
  esac
done <<<"$kinds"
echo "ok: converge validate in the image: $validate_out"

# --- 3. converge run --sim, served on the host's loopback -------------------------
# A port nothing listens on (a connection to it is refused).
port=""
for _ in $(seq 20); do
  candidate=$((20000 + RANDOM % 30000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$candidate") 2>/dev/null; then
    port=$candidate
    break
  fi
done
[ -n "$port" ] || fail "found no free loopback port in 20 tries"
base="http://127.0.0.1:$port"

setsid buildah run --isolation chroot --network host --user 65532:65532 "$ctr" -- \
  /usr/local/bin/converge run --sim /usr/share/converge/examples \
  --metrics-addr "127.0.0.1:$port" --state-dir /var/lib/converge >"$log" 2>&1 &
server_pid=$!

# Bounded: 120 polls, 0.5 s apart and 2 s each at most.
ready=""
for _ in $(seq 120); do
  kill -0 "$server_pid" 2>/dev/null || fail "converge run --sim exited before /readyz answered 200: $(tail -20 "$log")"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/readyz" || true)
  if [ "$code" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.5
done
[ -n "$ready" ] || fail "$base/readyz did not answer 200 within 60 s (last: ${code:-none}): $(tail -20 "$log")"
echo "ok: $base/readyz answered 200 from converge run --sim in the image"

# The first pass records every managed (non-Provider) example in converge_resources.
counted=""
for _ in $(seq 120); do
  metrics=$(curl -s --max-time 2 "$base/metrics" || true)
  counted=$(echo "$metrics" | awk '/^converge_resources\{/ { n += $2 } END { print n + 0 }')
  [ "$counted" = "$managed" ] && break
  sleep 0.5
done
[ "$counted" = "$managed" ] ||
  fail "$base/metrics: converge_resources sums to '${counted}', expected $managed (the examples without Providers)"
echo "$metrics" | grep -q '^converge_build_info{version="[^"]*"} 1$' ||
  fail "$base/metrics lacks converge_build_info"
echo "ok: $base/metrics: converge_resources counts $counted resources"

size=$(podman image inspect --format '{{.Size}}' "$image")
echo "make test-image: passed; $image is $((size / 1000000)) MB ($size bytes)"
