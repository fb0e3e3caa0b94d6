package main

import (
	"slices"
	"testing"

	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

func TestEngineAddressIsTheLastArgument(t *testing.T) {
	for _, args := range [][]string{
		{"127.0.0.1:4321"},
		{"-tracing", "file:/tmp/trace", "127.0.0.1:4321"},
		{"-root", "/work/program", "-tracing", "x", "127.0.0.1:4321"},
	} {
		got, err := engineAddressFrom(args)
		if err != nil || got != "127.0.0.1:4321" {
			t.Errorf("engineAddressFrom(%q) = %q, %v; want 127.0.0.1:4321", args, got, err)
		}
	}
}

func TestEngineAddressMissing(t *testing.T) {
	if got, err := engineAddressFrom(nil); err == nil {
		t.Errorf("engineAddressFrom(nil) = %q, want a usage error", got)
	}
}

func TestNodeArgsOfAPlainRun(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1",
		Project:        "posthog-layout",
		Stack:          "local",
		Pwd:            "/work",
		Program:        "program/index.ts",
	}
	got := nodeArgs(req, map[string]any{}, "/sdk/cmd/run/index.js", "127.0.0.1:2")
	want := []string{
		"/sdk/cmd/run/index.js",
		"--monitor", "127.0.0.1:1",
		"--engine", "127.0.0.1:2",
		"--project", "posthog-layout",
		"--stack", "local",
		"--pwd", "/work",
		"program/index.ts",
	}
	if !slices.Equal(got, want) {
		t.Errorf("nodeArgs = %q\nwant %q", got, want)
	}
}

func TestNodeArgsOfAPreviewWithEverySetting(t *testing.T) {
	req := &pulumirpc.RunRequest{
		MonitorAddress: "127.0.0.1:1",
		Project:        "p",
		Stack:          "s",
		Pwd:            "/work",
		Program:        ".",
		Args:           []string{"a", "b"},
		Organization:   "org",
		DryRun:         true,
		QueryMode:      true,
		Parallel:       8,
		Info:           &pulumirpc.ProgramInfo{RootDirectory: "/work"},
	}
	options := map[string]any{"nodeargs": "--max-old-space-size=4096  --trace-warnings"}
	got := nodeArgs(req, options, "run.js", "127.0.0.1:2")
	want := []string{
		"--max-old-space-size=4096", "--trace-warnings",
		"run.js",
		"--monitor", "127.0.0.1:1",
		"--engine", "127.0.0.1:2",
		"--project", "p",
		"--stack", "s",
		"--pwd", "/work",
		"--organization", "org",
		"--root-directory", "/work",
		"--dry-run",
		"--query-mode",
		"--parallel", "8",
		".",
		"a", "b",
	}
	if !slices.Equal(got, want) {
		t.Errorf("nodeArgs = %q\nwant %q", got, want)
	}
}

func TestOptionBool(t *testing.T) {
	options := map[string]any{"yes": true, "no": "false", "junk": "maybe", "number": 1.0}
	cases := []struct {
		key      string
		fallback bool
		want     bool
	}{
		{"yes", false, true},
		{"no", true, false},
		{"junk", true, true},
		{"number", false, false},
		{"absent", true, true},
	}
	for _, c := range cases {
		if got := optionBool(options, c.key, c.fallback); got != c.want {
			t.Errorf("optionBool(%q, %v) = %v, want %v", c.key, c.fallback, got, c.want)
		}
	}
}
