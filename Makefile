.PHONY: install build test lint bench sandbox clean

install:
	npm ci

build:
	npm run build

test: build
	npm test

lint:
	npm run lint

bench: build
	node dist/bench/run.js

sandbox: build
	node dist/src/cli/main.js sandbox

clean:
	rm -rf dist
