//go:build !linux

package mcp

import "errors"

// watcher is Linux's inotify (watch_linux.go); elsewhere every call walks the project.
type watcher struct{ pkgs string }

func newWatcher(root, pkgs string, gen uint64) (*watcher, error) {
	return nil, errors.ErrUnsupported
}

func (w *watcher) close() {}

func (w *watcher) poll() (uint64, bool) { return 0, false }
