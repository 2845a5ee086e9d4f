# The two set-up commands of the README. Each installs what is missing (Debian
# packages), configures, builds incrementally and runs.
#   make demo   run the controller against the embedded simulator
#   make test   build and run every test with ctest
#   make bench  Release build in build-release, then the scale benchmark (bench/bench.py)
#   make image       build deploy/Dockerfile with podman (README "Container image")
#   make test-image  make image, then run the image with buildah and check it serves
#   make test-sanitize  the tests under ASan+UBSan (build-asan) and TSan (build-tsan)
#   make fuzz   clang/libFuzzer build in build-fuzz, then each fuzz target for FUZZ_SECONDS
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Tests run two per CPU: most of them wait on loopback HTTP, child processes and
# timers (ctest -j2 kept the 2 CPUs 41 % busy), and twice as many at once brings
# ctest down to its longest test, the chaos test (123 s -> 81 s on 2 CPUs).
CTEST_JOBS ?= $(shell echo $$(( $(JOBS) * 2 )))
# Line tables only (-g1): backtraces keep file:line, and a clean build takes about a
# fifth less CPU than with full debug info (-g). Override for a debugger session:
#   make RELWITHDEBINFO_FLAGS='-O2 -g -DNDEBUG' build   (after make clean)
RELWITHDEBINFO_FLAGS ?= -O2 -g1 -DNDEBUG
DEBIAN_PACKAGES := cmake make g++ pkg-config libyaml-cpp-dev nlohmann-json3-dev \
  prometheus-cpp-dev libgtest-dev libgmock-dev libssl-dev libbenchmark-dev prometheus \
  python3 python3-yaml ccache libgit2-dev git
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(BUILD_DIR)/.deps-installed

.PHONY: all deps configure build test demo clean format bench image test-image \
  test-sanitize test-asan test-tsan fuzz

all: build

# Installs only the packages dpkg does not report as installed; a stamp keeps a
# second run from asking dpkg again unless the package list changes.
# $(call install_missing,PACKAGES): apt-get installs those dpkg does not report installed.
define install_missing
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
endef

$(STAMP): Makefile
	$(call install_missing,$(DEBIAN_PACKAGES))
	@mkdir -p $(BUILD_DIR) && touch $@

deps: $(STAMP)

$(BUILD_DIR)/CMakeCache.txt: $(STAMP)
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(RELWITHDEBINFO_FLAGS)"

configure: $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300 -j $(CTEST_JOBS)

demo: build
	$(BUILD_DIR)/converge validate manifests/examples
	$(BUILD_DIR)/converge run --sim manifests/examples

# Not part of `make test`: a Release build of its own (BENCH_BUILD_DIR), then
# bench/bench.py against `converge sim` in its own process, and the in-process
# Google Benchmark rows. BENCH_ARGS passes options (e.g. BENCH_ARGS='--n 2000').
BENCH_BUILD_DIR ?= build-release
BENCH_ARGS ?=
bench: $(STAMP)
	cmake -S . -B $(BENCH_BUILD_DIR) -DCMAKE_BUILD_TYPE=Release -DCONVERGE_ENABLE_TESTING=OFF
	cmake --build $(BENCH_BUILD_DIR) -j $(JOBS) --target converge converge_bench
	python3 bench/bench.py --converge $(BENCH_BUILD_DIR)/converge \
	  --bench $(BENCH_BUILD_DIR)/bench/converge_bench $(BENCH_ARGS)

# Not part of `make test`: the container image, built with podman (--isolation
# chroot: no container host needed) on debian:bookworm base images that
# deploy/build-image.sh makes with debootstrap when they are missing (no registry
# is reachable). Needs root: $(SUDO) runs the scripts. test-image runs the image
# with `buildah run` (tests/image/run_image_test.sh).
IMAGE ?= converge:$(shell sed -n 's/^project.converge VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
IMAGE_PACKAGES := podman buildah debootstrap debian-archive-keyring curl
IMAGE_STAMP := $(BUILD_DIR)/.image-deps-installed

$(IMAGE_STAMP): Makefile
	$(call install_missing,$(IMAGE_PACKAGES))
	@mkdir -p $(BUILD_DIR) && touch $@

image: $(IMAGE_STAMP)
	$(SUDO) deploy/build-image.sh $(IMAGE)

test-image: image
	$(SUDO) tests/image/run_image_test.sh $(IMAGE)

# make test-sanitize: the tests under sanitizers, each sanitizer in a build tree of
# its own, with line tables (reports keep file:line); no benchmarks.
#   ASAN_FLAGS -O0: g++ takes about twice the CPU to compile ASan+UBSan code at -O1
#               (103 s against 54 s for the simulator's largest batch), more than
#               the tests gain from running faster, since they mostly wait.
#   TSAN_FLAGS -O1: ThreadSanitizer compiles as fast at -O1 as at -O0, and runs faster.
#   build-asan  AddressSanitizer (and LeakSanitizer) + UndefinedBehaviorSanitizer:
#               every ctest test, unit, integration and end-to-end; the e2e tests
#               start build-asan/converge, which is instrumented too.
#   build-tsan  ThreadSanitizer, the concurrent tests only (TSAN_TESTS): reconcile,
#               serve, and the cloud clients alone and against the simulator, which
#               is what they link of the rest.
# Each sanitizer stops a process at its first report (UBSan does not recover: the
# build says -fno-sanitize-recover=all), and every process, the `converge` children
# included, writes its reports to <tree>/sanitizer-reports/ (log_path) instead of
# stderr. A report of a child whose exit status no test reads (killed at teardown,
# its output in a deleted scratch directory) therefore cannot go unnoticed: the
# target prints every report file and fails if there is one, whatever ctest says.
# The sanitizer_canary_* tests (tests/sanitizers/) prove that each sanitizer reports
# and fails a process.
ASAN_BUILD_DIR ?= build-asan
TSAN_BUILD_DIR ?= build-tsan
ASAN_FLAGS ?= -O0 -g1
TSAN_FLAGS ?= -O1 -g1
TSAN_TESTS := converge_reconcile_test converge_serve_test converge_cloud_test converge_cloud_sim_test
ASAN_REPORTS = $(abspath $(ASAN_BUILD_DIR))/sanitizer-reports
TSAN_REPORTS = $(abspath $(TSAN_BUILD_DIR))/sanitizer-reports
# Suppressions for third-party code only, each with its reason: tests/sanitizers/*.supp.
SANITIZER_SUPP = $(abspath tests/sanitizers)
ASAN_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:print_suppressions=0:log_path=$(ASAN_REPORTS)/asan:log_exe_name=1 \
  LSAN_OPTIONS=suppressions=$(SANITIZER_SUPP)/lsan.supp:print_suppressions=0 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:abort_on_error=1:print_suppressions=0:log_path=$(ASAN_REPORTS)/ubsan:log_exe_name=1:suppressions=$(SANITIZER_SUPP)/ubsan.supp
# tests/support/tsan_options.cc adds the suppressions (tests/support/tsan.supp).
TSAN_ENV = TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:log_path=$(TSAN_REPORTS)/tsan:log_exe_name=1

# $(call ctest_sanitized,REPORTS_DIR,BUILD_DIR,ENV,CTEST_ARGS): ctest under ENV with an
# empty REPORTS_DIR, then every report in it printed; fails if ctest failed or any exists.
ctest_sanitized = rm -rf $(1) && mkdir -p $(1) && status=0; \
  (cd $(2) && env $(3) ctest --output-on-failure -j $(CTEST_JOBS) $(4)) || status=$$?; \
  n=0; for f in $(1)/*; do [ -e "$$f" ] || continue; n=$$((n+1)); \
    echo "==== sanitizer report $$f"; cat "$$f"; done; \
  if [ $$n -gt 0 ]; then echo "FAILED: $$n sanitizer report(s) in $(1), printed above"; exit 1; fi; \
  exit $$status

$(ASAN_BUILD_DIR)/CMakeCache.txt: $(STAMP)
	cmake -S . -B $(ASAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(ASAN_FLAGS)" -DCONVERGE_SANITIZE=address \
	  -DCONVERGE_ENABLE_BENCHMARKS=OFF

$(TSAN_BUILD_DIR)/CMakeCache.txt: $(STAMP)
	cmake -S . -B $(TSAN_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(TSAN_FLAGS)" -DCONVERGE_SANITIZE=thread \
	  -DCONVERGE_ENABLE_BENCHMARKS=OFF

test-sanitize: test-asan test-tsan

# The two stress tests are left out of the ASan run: the endpoint load test bounds the
# controller's memory (ASan's shadow memory and quarantine make that bound meaningless)
# and the chaos test's 3-minute bound is for the normal build. Both run in `make test`.
ASAN_CTEST_EXCLUDE := -E '^(chaos\.|EndpointLoadTest\.)'

test-asan: $(ASAN_BUILD_DIR)/CMakeCache.txt
	cmake --build $(ASAN_BUILD_DIR) -j $(JOBS)
	@$(call ctest_sanitized,$(ASAN_REPORTS),$(ASAN_BUILD_DIR),$(ASAN_ENV),$(ASAN_CTEST_EXCLUDE))

test-tsan: $(TSAN_BUILD_DIR)/CMakeCache.txt
	cmake --build $(TSAN_BUILD_DIR) -j $(JOBS) --target $(TSAN_TESTS) converge_sanitizer_canary
	@$(call ctest_sanitized,$(TSAN_REPORTS),$(TSAN_BUILD_DIR),$(TSAN_ENV),\
	  -L '^($(subst $(eval) ,|,$(TSAN_TESTS))|sanitizer_canary)$$')

# Not part of `make test` (which replays the fuzz corpora with g++): a clang build
# of its own (FUZZ_BUILD_DIR) with libFuzzer, ASan (leaks included) and UBSan, then
# each target of tests/fuzz/ for FUZZ_SECONDS on a scratch copy of its corpus plus
# its regressions. Exits non-zero when any finds a crash, leak or timeout, naming
# the input it saved. FUZZ_MERGE=1 merges the new inputs that add coverage into
# the checked-in corpus; FUZZ_TARGETS picks targets (README "Fuzzing").
FUZZ_BUILD_DIR ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_MERGE ?= 0
FUZZ_TARGETS ?= manifest scnet_response tione_response tc3_verify sim_dispatch
FUZZ_PACKAGES := clang-16 libfuzzer-16-dev libclang-rt-16-dev
FUZZ_STAMP := $(FUZZ_BUILD_DIR)/.deps-installed
$(FUZZ_STAMP): Makefile
	$(call install_missing,$(FUZZ_PACKAGES))
	@mkdir -p $(FUZZ_BUILD_DIR) && touch $@

fuzz: $(STAMP) $(FUZZ_STAMP)
	cmake -S . -B $(FUZZ_BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(RELWITHDEBINFO_FLAGS)" -DCMAKE_CXX_COMPILER=clang++-16 \
	  -DCONVERGE_FUZZ=ON -DCONVERGE_ENABLE_TESTING=OFF -DCONVERGE_ENABLE_BENCHMARKS=OFF \
	  -DCONVERGE_ENABLE_PCH=OFF
	cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target $(addsuffix _fuzz,$(FUZZ_TARGETS))
	@failed=""; \
	export ASAN_SYMBOLIZER_PATH=$$(command -v llvm-symbolizer-16 || command -v llvm-symbolizer); \
	for t in $(FUZZ_TARGETS); do \
	  scratch=$$(mktemp -d); artifacts=$(FUZZ_BUILD_DIR)/artifacts/$$t; \
	  mkdir -p $$artifacts; cp tests/fuzz/$$t/corpus/* $$scratch/; \
	  regressions=""; [ -d tests/fuzz/$$t/regressions ] && regressions=tests/fuzz/$$t/regressions; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	  if $(FUZZ_BUILD_DIR)/fuzz/$${t}_fuzz -max_total_time=$(FUZZ_SECONDS) -timeout=10 \
	      -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=$$artifacts/ \
	      $$scratch $$regressions > $$artifacts/fuzz.log 2>&1; then \
	    tail -n 12 $$artifacts/fuzz.log | grep -E '^stat::(number_of_executed_units|new_units_added)'; \
	    if [ "$(FUZZ_MERGE)" = 1 ]; then \
	      $(FUZZ_BUILD_DIR)/fuzz/$${t}_fuzz -merge=1 tests/fuzz/$$t/corpus $$scratch \
	        >> $$artifacts/fuzz.log 2>&1 || failed="$$failed $$t"; \
	    fi; \
	  else \
	    grep -E '^(==[0-9]+==ERROR|SUMMARY)|Test unit written to|fuzz property broken' \
	      $$artifacts/fuzz.log; \
	    echo "fuzz: $$t FAILED: log $$artifacts/fuzz.log; add the input above to" \
	      "tests/fuzz/$$t/regressions/ once fixed"; \
	    failed="$$failed $$t"; \
	  fi; \
	  rm -rf $$scratch; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: failed:$$failed"; exit 1; fi; \
	echo "fuzz: no crash, leak or timeout in$(foreach t,$(FUZZ_TARGETS), $(t))"

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD_DIR) $(ASAN_BUILD_DIR) $(TSAN_BUILD_DIR) $(FUZZ_BUILD_DIR)
