# Everyday entry points. `make sandbox` and `make test` work on a fresh clone: they install first.
.PHONY: install build test lint bench crds sandbox real-kube real-kube-binaries clean

TEST_ARGS ?=
# The Kubernetes targets of the integration and end-to-end tests: emulator, real (a kube-apiserver,
# etcd and kube-controller-manager built from Go modules on first use). KUBE_TARGETS=emulator
# needs no Go.
KUBE_TARGETS ?= emulator,real
export KUBE_TARGETS

node_modules/.package-lock.json: package.json package-lock.json $(wildcard packages/*/package.json)
	npm ci --no-audit --no-fund

install: node_modules/.package-lock.json

build: install
	npm run build

test: build
	@case ",$(KUBE_TARGETS)," in *,real,*) node packages/sandbox/dist/src/real-kube/main.js --build-only ;; esac
	npm test -- $(TEST_ARGS)

lint: install
	npm run lint

# make bench ARGS="--scenario scaling"; KUBE=real (or both) runs the main world on a real kube-apiserver
# (export REAL_KUBE_CACHE to reuse built binaries). Flags: node dist/bench/run.js --help.
KUBE ?=
bench: build
	node dist/bench/run.js $(if $(KUBE),--kube $(KUBE)) $(ARGS)

# Flags of `ecs-role-operator sandbox` pass through: make sandbox ARGS="--metrics-port 9090"
ARGS ?=
sandbox: build
	node dist/ecs-role-operator.mjs sandbox $(ARGS)

# Regenerates crds/ and deploy/crds/ from the schemas in src/api (a unit test fails when they differ).
crds: build
	node dist/ecs-role-operator.mjs crds --out-dir crds
	node dist/ecs-role-operator.mjs crds --out-dir deploy/crds

# A real kube-apiserver + etcd + kube-controller-manager on loopback (built from the Go modules in
# packages/sandbox/real-kube/ on first use), in the foreground until Ctrl-C.
KUBECONFIG_OUT ?= .real-kube/kubeconfig
real-kube: build
	node packages/sandbox/dist/src/real-kube/main.js --kubeconfig-out $(KUBECONFIG_OUT)

real-kube-binaries: build
	node packages/sandbox/dist/src/real-kube/main.js --build-only

clean:
	rm -rf dist packages/*/dist .sandbox .real-kube
