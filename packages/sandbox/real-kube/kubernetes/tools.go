//go:build tools

// Package tools records the commands this module builds, so `go mod tidy` keeps their
// dependencies in go.sum. Built with: go build k8s.io/kubernetes/cmd/kube-apiserver (and
// cmd/kube-controller-manager, cmd/kubectl).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
