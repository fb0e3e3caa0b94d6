package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

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

func TestWatchParentFiresOnlyWhenTheParentChanges(t *testing.T) {
	calls := 0
	getppid := func() int {
		calls++
		if calls < 3 {
			return 42
		}
		return 1 // reparented to init: the engine died
	}
	fired := false
	watchParent(42, getppid, time.Millisecond, func() { fired = true })
	if !fired || calls != 3 {
		t.Fatalf("watchParent fired=%v after %d looks, want it to fire on the third", fired, calls)
	}
}

// A program's grandchildren (ts-node workers, anything node spawned) go with it.
func TestKillAllTakesTheWholeProgramGroup(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "grandchild.pid")
	cmd := exec.Command("sh", "-c", `sleep 300 & echo $! > "$1"; wait`, "sh", pidFile)
	programs := newProgramGroups()
	if err := programs.start(cmd); err != nil {
		t.Fatal(err)
	}
	var grandchild int
	for deadline := time.Now().Add(30 * time.Second); grandchild == 0; {
		if time.Now().After(deadline) {
			t.Fatal("the program never wrote its child's pid")
		}
		raw, err := os.ReadFile(pidFile)
		if err == nil && strings.HasSuffix(string(raw), "\n") {
			grandchild, _ = strconv.Atoi(strings.TrimSpace(string(raw)))
		}
		time.Sleep(10 * time.Millisecond)
	}
	programs.killAll()
	if err := programs.wait(cmd); err == nil {
		t.Fatal("the program exited cleanly; want it killed")
	}
	for deadline := time.Now().Add(30 * time.Second); running(grandchild); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("grandchild %d still running after its group was killed", grandchild)
		}
	}
	if len(programs.running) != 0 {
		t.Fatalf("programs still tracked after wait: %v", programs.running)
	}
}

// running reports whether pid is a live process. The grandchild is not ours to reap:
// killed, it may stay a zombie until init reaps it, which counts as gone.
func running(pid int) bool {
	stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
	return len(fields) > 0 && fields[0] != "Z"
}

// The engine closes the host with SIGINT to the host's group; programs in groups of their
// own get it passed on, and one that ignores it is killed once the grace is over.
func TestStopPassesTheSignalOnThenKills(t *testing.T) {
	programs := newProgramGroups()
	polite := exec.Command("sleep", "300")
	stubborn := exec.Command("sh", "-c", `trap "" INT; echo ready; while :; do sleep 1; done`)
	ready, err := stubborn.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []*exec.Cmd{polite, stubborn} {
		if err := programs.start(cmd); err != nil {
			t.Fatal(err)
		}
	}
	// The trap is set once the shell has printed.
	if _, err := ready.Read(make([]byte, 6)); err != nil {
		t.Fatal(err)
	}
	signals := make(chan syscall.Signal, 2)
	for _, cmd := range []*exec.Cmd{polite, stubborn} {
		go func() {
			_ = programs.wait(cmd)
			signals <- cmd.ProcessState.Sys().(syscall.WaitStatus).Signal()
		}()
	}
	programs.stop(syscall.SIGINT, 500*time.Millisecond)
	got := []syscall.Signal{<-signals, <-signals}
	slices.Sort(got)
	if want := []syscall.Signal{syscall.SIGINT, syscall.SIGKILL}; !slices.Equal(got, want) {
		t.Fatalf("programs ended by %v, want %v", got, want)
	}
}
