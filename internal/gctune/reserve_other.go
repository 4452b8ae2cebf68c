//go:build !linux

package gctune

func reserve(int64) {}
