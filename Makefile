# Two commands do all set-up on a fresh Debian machine:
#   make demo   install what is missing, build, make a synthetic dataset, train and evaluate
#   make test   install what is missing, build (with ASan/UBSan) and run the whole test suite
# Other targets: make build (the ynet binary only), make fuzz (FUZZ_SECONDS=600), make clean.

JOBS        ?= $(shell nproc)
BUILD       ?= build
TEST_BUILD  ?= build-asan
FUZZ_BUILD  ?= build-fuzz
FUZZ_SECONDS ?= 600
# The sanitizer build optimises (the training tests run real steps) with line tables only: full
# debug info made every object 2.5x larger and compiling a quarter slower, and sanitizer reports
# need only file:line.
TEST_CXX_FLAGS ?= -O2 -g1 -DNDEBUG
# The demo trains on the CPU: where no GPU answers, `make build` skips compiling the CUDA backend
# (minutes of nvcc on a small machine). `make test` always builds it when the toolkit is present.
BUILD_CUDA  ?= $(shell nvidia-smi -L >/dev/null 2>&1 && echo AUTO || echo OFF)

# Debian packages the build, tests and demo need.
DEB_PACKAGES := cmake g++ make git default-jre-headless antlr4 libantlr4-runtime-dev libfmt-dev \
                libprotobuf-dev protobuf-compiler libdnnl-dev doctest-dev libcli11-dev zlib1g-dev \
                graphviz clang libopenmpi-dev openmpi-bin

.PHONY: demo test build deps fuzz clean

deps:
	@missing=""; for p in $(DEB_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "ynet: installing Debian packages:$$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; \
	else echo "ynet: all Debian packages present"; fi

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Release -DYNET_CUDA=$(BUILD_CUDA)
	cmake --build $(BUILD) -j $(JOBS) --target ynet

test: deps
	cmake -S . -B $(TEST_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DYNET_SANITIZE=ON \
	  "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=$(TEST_CXX_FLAGS)"
	cmake --build $(TEST_BUILD) -j $(JOBS)
	cd $(TEST_BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	./scripts/demo.sh $(BUILD)/cli/ynet

fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=Debug -DYNET_FUZZ=ON
	cmake --build $(FUZZ_BUILD) -j $(JOBS) --target fuzz_targets
	./scripts/fuzz.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(TEST_BUILD) $(FUZZ_BUILD) demo
