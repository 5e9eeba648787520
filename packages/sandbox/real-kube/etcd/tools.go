//go:build tools

// Package tools records the command this module builds (go build go.etcd.io/etcd/server/v3),
// so `go mod tidy` keeps its dependencies in go.sum.
package tools

import _ "go.etcd.io/etcd/server/v3"
