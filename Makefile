# Everyday entry points. `make sandbox` and `make test` work on a fresh clone: they install first.
.PHONY: install build test lint bench sandbox clean

TEST_ARGS ?=

node_modules/.package-lock.json: package.json package-lock.json $(wildcard packages/*/package.json)
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json

build: install
	npm run build

test: build
	npm test -- $(TEST_ARGS)

lint: install
	npm run lint

bench: build
	node dist/bench/run.js

sandbox: build
	node dist/src/cli/main.js sandbox

clean:
	rm -rf dist packages/*/dist .sandbox
