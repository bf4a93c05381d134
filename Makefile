# Liên Thông — the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.DEFAULT_GOAL := help
NPM_FLAGS := --no-audit --no-fund --loglevel=error

.PHONY: help deps system-deps build run test test-unit bench soak drill restore-drill clean cluster cluster-drill

help:
	@echo "make run   - start Liên Thông (private PostgreSQL and Redis under .data when no URLs are set)"
	@echo "make test  - run the whole test suite against private PostgreSQL and Redis"
	@echo "make test-unit - the unit tier only: no PostgreSQL, Redis or browser, in seconds"
	@echo "make drill - fault and fuzz drill against real processes; writes drills/results/latest.json"
	@echo "make restore-drill - backups restored after a lost data folder, a dropped table, a failed migration; writes drills/results/restore.json"
	@echo "make cluster       - the production topology on this machine (nginx, 2 gateways, 3 workers, Redis Sentinel, Patroni, PgBouncer)"
	@echo "make cluster-drill - kill the Redis master, a gateway, a worker, the PostgreSQL primary under load; drills/results/cluster.json"
	@echo "make bench - benchmark (~8 min; BENCH_QUICK=1 ~3 min): table + bench/results/latest.json, see BENCHMARKS.md"
	@echo "make soak  - SOAK_MINUTES (default 20) at 50% of the maximum: memory growth, p99 drift, failures into bench/results/latest.json"

# npm ci only when the lock file changed since the last install.
node_modules/.install-stamp: package.json package-lock.json
	npm ci $(NPM_FLAGS)
	@touch $@

system-deps:
	@bash infra/scripts/ensure-system-deps.sh $(SYSTEM_DEPS_FLAGS)

deps: node_modules/.install-stamp system-deps

build: deps
	@rm -rf dist
	npx tsc -p tsconfig.json
	bash clients/typescript/build.sh

run: build
	node dist/infra/run/run.js

# The end-to-end tests drive Debian's chromium and one test runs PgBouncer; make test installs both
# (make run needs neither).
test: SYSTEM_DEPS_FLAGS := --with-browser --with-pgbouncer
test: build
	npx mocha

# Unit tier: pure code, no PostgreSQL or Redis started (.mocharc.unit.json has no root hooks).
test-unit: node_modules/.install-stamp
	@rm -rf dist
	npx tsc -p tsconfig.json
	npx mocha --config .mocharc.unit.json

# The harness compiles into bench/dist with its own copy of the gateway and workers (bench/tsconfig.json).
bench: SYSTEM_DEPS_FLAGS := --cluster
bench: build
	npx tsc -p bench/tsconfig.json
	node bench/dist/bench/src/main.js

# Not part of make bench: SOAK_MINUTES (default 20) at 50% of the maximum; writes soak.* into bench/results/latest.json.
soak: build
	npx tsc -p bench/tsconfig.json
	node bench/dist/bench/src/soak.js

drill: build
	npx tsc -p drills/tsconfig.json || test -f drills/dist/drills/src/main.js
	node drills/dist/drills/src/main.js

# Not part of make test: a few minutes (RELIABILITY.md § Backups and restore).
restore-drill: build
	npx tsc -p drills/tsconfig.json || test -f drills/dist/drills/src/restore-main.js
	LOG_LEVEL=$${LOG_LEVEL:-error} node drills/dist/drills/src/restore-main.js

# Past one machine (README.md § Running past one machine): Debian's nginx, redis-sentinel, patroni,
# etcd-server and pgbouncer, installed by ensure-system-deps.sh --cluster.
cluster: SYSTEM_DEPS_FLAGS := --cluster
cluster: build
	node dist/infra/cluster/main.js

cluster-drill: SYSTEM_DEPS_FLAGS := --cluster
cluster-drill: build
	npx tsc -p drills/tsconfig.json || test -f drills/dist/drills/src/cluster-drill.js
	node drills/dist/drills/src/cluster-drill.js

clean:
	rm -rf dist node_modules
