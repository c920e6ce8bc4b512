# dinc-agent. Quick start: `make run` and `make test`; both install what is missing.
SHELL := /bin/bash
NODE_MODULES := node_modules/.package-lock.json
SEA_BASE := tools/sea-base/node_modules/.package-lock.json
SOURCES := $(shell find src -name '*.ts' ! -name '*.generated.ts') tsconfig.json tsconfig.build.json
# The web UI's page, style and script as strings, generated for tsc to compile in.
UI_ASSETS := src/ui/web/assets.generated.ts

.PHONY: install build run test typecheck lint unit binary bench sim jepsen docs clean

install: $(NODE_MODULES) $(SEA_BASE)

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

# The Node 24 runtime that the standalone binary is built on (kept out of the main package).
$(SEA_BASE): tools/sea-base/package.json tools/sea-base/package-lock.json
	cd tools/sea-base && npm ci --no-audit --no-fund
	@touch $@

build: lib/bin.js

lib/bin.js: $(NODE_MODULES) $(SOURCES) $(UI_ASSETS)
	npx tsc -p tsconfig.build.json
	@touch $@

$(UI_ASSETS): $(NODE_MODULES) $(SOURCES) $(wildcard src/ui/web/*.html src/ui/web/*.css) scripts/build-ui.mjs
	node scripts/build-ui.mjs
	@touch $@

## Start one agent on cluster.conf.example (Ctrl-C stops it).
run: build
	node bin/dinc-agent start --config cluster.conf.example

## Type-check, lint, and run every test (unit, integration, binary, package).
test: install typecheck lint unit

typecheck: $(NODE_MODULES) $(UI_ASSETS)
	npx tsc -p tsconfig.json --noEmit
	npx tsc -p src/ui/web/tsconfig.json --noEmit

lint: $(NODE_MODULES) $(UI_ASSETS)
	npx eslint --max-warnings 0 .

unit: install
	npx vitest run $(VITEST_FLAGS)

## dist/dinc-agent-linux-x64: runs on Linux x64 without Node.js.
binary: install $(UI_ASSETS)
	node scripts/build-binary.mjs

## Benchmarks beside peers (tables; nothing passes or fails on time). The real-network one needs root.
bench: binary build
	node bench/startup.mjs
	npx vitest run --config bench/vitest.bench.config.ts
	node bench/cluster-real.mjs
	node bench/status-views.mjs
	command -v etcd >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends etcd-server)
	node bench/raft-transport.mjs
	node bench/raft/run.mjs

## The Raft simulation over 10 000 seeds (safety, liveness, linearizability); prints one summary line.
sim: $(NODE_MODULES)
	npm run sim -- raft --seeds 10000

## The Jepsen-style Raft test for 5 minutes instead of 35 s (root and iproute2; `make test` runs the short one).
jepsen: build
	JEPSEN_SECONDS=300 npx vitest run test/cluster/raft-jepsen.test.ts

## Regenerate docs/configuration.md from src/config/schema.ts and the HTTP table of docs/errors.md from src/error-codes.ts.
docs: build
	node scripts/write-config-docs.mjs
	node scripts/write-error-docs.mjs

clean:
	rm -rf lib dist test-results *.tgz $(UI_ASSETS)
