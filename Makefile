# The two set-up commands of the README. Each installs what is missing (Debian
# packages), configures, builds incrementally and runs.
#   make demo   run the controller against the embedded simulator
#   make test   build and run every test with ctest
#   make bench  Release build in build-release, then the scale benchmark (bench/bench.py)
#   make fuzz   clang/libFuzzer build in build-fuzz, then each fuzz target for FUZZ_SECONDS
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
# Line tables only (-g1): backtraces keep file:line, and a clean build takes about a
# fifth less CPU than with full debug info (-g). Override for a debugger session:
#   make RELWITHDEBINFO_FLAGS='-O2 -g -DNDEBUG' build   (after make clean)
RELWITHDEBINFO_FLAGS ?= -O2 -g1 -DNDEBUG
DEBIAN_PACKAGES := cmake make g++ pkg-config libcpprest-dev libyaml-cpp-dev nlohmann-json3-dev \
  prometheus-cpp-dev libgtest-dev libgmock-dev libssl-dev libbenchmark-dev prometheus \
  python3 python3-yaml ccache libgit2-dev git
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
STAMP := $(BUILD_DIR)/.deps-installed

.PHONY: all deps configure build test demo clean format bench fuzz

all: build

# Installs only the packages dpkg does not report as installed; a stamp keeps a
# second run from asking dpkg again unless the package list changes.
$(STAMP): Makefile
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
	@mkdir -p $(BUILD_DIR) && touch $@

deps: $(STAMP)

$(BUILD_DIR)/CMakeCache.txt: $(STAMP)
	cmake -S . -B $(BUILD_DIR) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$(RELWITHDEBINFO_FLAGS)"

configure: $(BUILD_DIR)/CMakeCache.txt

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure --timeout 300 -j $(JOBS)

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
	@missing=""; for p in $(FUZZ_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi
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
	rm -rf $(BUILD_DIR)
