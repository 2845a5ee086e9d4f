# The two set-up commands of the README. Each installs what is missing (Debian
# packages), configures, builds incrementally and runs.
#   make demo   run the controller against the embedded simulator
#   make test   build and run every test with ctest
#   make bench  Release build in build-release, then the scale benchmark (bench/bench.py)
#   make image       build deploy/Dockerfile with podman (README "Container image")
#   make test-image  make image, then run the image with buildah and check it serves
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

.PHONY: all deps configure build test demo clean format bench image test-image

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

format:
	clang-format -i $$(git ls-files '*.cc' '*.h')

clean:
	rm -rf $(BUILD_DIR)
