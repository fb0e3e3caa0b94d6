// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine.
//
// Why it exists: Pulumi's own Node.js language host lives in a Go module
// (github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3) that the Go
// module proxy reachable from our machines refuses at every version, while the CLI
// (pkg/v3) and the SDK (sdk/v3) are served. The engine only needs the host to speak
// the LanguageRuntime gRPC protocol and start the program through the Node SDK's own
// entry point (@pulumi/pulumi/cmd/run), which does all the real work: connecting to
// the resource monitor, registering resources and serializing dynamic providers.
// This host does exactly that and nothing more; it is not a re-implementation of
// the SDK runtime.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	pbempty "google.golang.org/protobuf/types/known/emptypb"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
)

// exitCodeErrorAlreadyReported is the exit code the Node SDK's run script uses when
// the program failed after logging a message the user can act on; the engine should
// then stop without adding a generic "program exited" error on top.
const exitCodeErrorAlreadyReported = 32

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
	engineAddress string
	programs      *programGroups
}

// programGroups are the process groups of the programs this host is running. Each
// program runs in a group of its own so that everything it started (ts-node, its
// workers) goes with it: a killed `pulumi` CLI takes nobody down with it (SIGKILL
// cannot be caught, and the engine is not a process group leader), so the host
// does it when it notices its parent is gone.
type programGroups struct {
	mu      sync.Mutex
	running map[int]struct{}
}

func newProgramGroups() *programGroups {
	return &programGroups{running: map[int]struct{}{}}
}

// start starts cmd as the leader of a new process group, remembered until wait returns.
func (g *programGroups) start(cmd *exec.Cmd) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	g.mu.Lock()
	defer g.mu.Unlock()
	if err := cmd.Start(); err != nil {
		return err
	}
	g.running[cmd.Process.Pid] = struct{}{}
	return nil
}

func (g *programGroups) wait(cmd *exec.Cmd) error {
	err := cmd.Wait()
	g.mu.Lock()
	delete(g.running, cmd.Process.Pid)
	g.mu.Unlock()
	return err
}

// killAll kills every running program's process group.
func (g *programGroups) killAll() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for pid := range g.running {
		_ = killGroup(pid)
	}
}

// stop passes sig on to every running program's group, then kills the groups of those
// still running after grace. The engine closes the host by interrupting the host's own
// process group (then killing it 5 s later); the programs are in groups of their own, so
// without this they would outlive the host, and the engine, which waits for the host's
// stdout to close (the programs hold it), would wait for ever.
func (g *programGroups) stop(sig syscall.Signal, grace time.Duration) {
	g.mu.Lock()
	for pid := range g.running {
		_ = syscall.Kill(-pid, sig)
	}
	g.mu.Unlock()
	for deadline := time.Now().Add(grace); time.Now().Before(deadline) && g.count() > 0; {
		time.Sleep(20 * time.Millisecond)
	}
	g.killAll()
}

func (g *programGroups) count() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.running)
}

// killGroup kills the process group led by pid (a negative pid names the group).
func killGroup(pid int) error {
	return syscall.Kill(-pid, syscall.SIGKILL)
}

// watchParent calls gone once the process's parent is no longer parent: the kernel
// hands an orphan to init (or a subreaper), so the parent pid changes the moment
// the engine dies, however it died.
func watchParent(parent int, getppid func() int, every time.Duration, gone func()) {
	for getppid() == parent {
		time.Sleep(every)
	}
	gone()
}

// engineAddressFrom returns the engine's address from the command line (without the
// program name). The engine passes its flags (-tracing, -root and others it may add)
// before the address, which is always last, so the flags need no parsing.
func engineAddressFrom(args []string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("usage: pulumi-language-nodejs [flags...] <engine-address>")
	}
	return args[len(args)-1], nil
}

func main() {
	engineAddress, err := engineAddressFrom(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}

	// Installed first, so an early interrupt is not the default exit that would leave programs behind.
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// Exit when the engine goes away so no host, and no program, outlives the `pulumi`
	// process that started it: at once when the parent dies (a SIGKILLed CLI), and
	// through the health check when the engine stops answering.
	go watchParent(os.Getppid(), os.Getppid, 200*time.Millisecond, cancel)
	if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Second, cancel); err != nil {
		fmt.Fprintf(os.Stderr, "could not start the engine health check: %v\n", err)
		os.Exit(1)
	}

	programs := newProgramGroups()
	defer programs.killAll()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &nodeHost{engineAddress: engineAddress, programs: programs})
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "could not start the language host: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)

	select {
	case err := <-handle.Done:
		if err != nil {
			programs.killAll()
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	case <-ctx.Done():
	case sig := <-signals:
		// Well inside the engine's 5 s before it kills the host.
		programs.stop(sig.(syscall.Signal), 3*time.Second)
	}
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.engineAddress = req.GetEngineAddress()
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *pbempty.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: strings.TrimPrefix(version.Version, "v")}, nil
}

// Dynamic providers need no plugin beyond pulumi-resource-pulumi-nodejs, which the
// engine finds on PATH when the first dynamic resource registers, so nothing is
// declared up front (and nothing is ever downloaded).
func (h *nodeHost) GetRequiredPlugins(
	context.Context, *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	return &pulumirpc.GetRequiredPluginsResponse{}, nil
}

func (h *nodeHost) GetRequiredPackages(
	context.Context, *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	return &pulumirpc.GetRequiredPackagesResponse{}, nil
}

func (h *nodeHost) InstallDependencies(
	_ *pulumirpc.InstallDependenciesRequest,
	stream grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	return stream.Send(&pulumirpc.InstallDependenciesResponse{
		Stdout: []byte("Dependencies are installed by npm in this project; nothing to do.\n"),
	})
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	out, err := exec.Command("node", "--version").Output()
	if err != nil {
		return nil, status.Errorf(codes.FailedPrecondition, "node is not on PATH: %v", err)
	}
	return &pulumirpc.AboutResponse{Executable: "node", Version: strings.TrimSpace(string(out))}, nil
}

func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	dir := req.GetInfo().GetProgramDirectory()
	if dir == "" {
		dir = req.GetPwd()
	}
	root, err := findUp(dir, "package.json")
	if err != nil {
		return &pulumirpc.GetProgramDependenciesResponse{}, nil
	}
	raw, err := os.ReadFile(root)
	if err != nil {
		return nil, err
	}
	var pkg struct {
		Dependencies map[string]string `json:"dependencies"`
	}
	if err := json.Unmarshal(raw, &pkg); err != nil {
		return nil, fmt.Errorf("reading %s: %w", root, err)
	}
	deps := make([]*pulumirpc.DependencyInfo, 0, len(pkg.Dependencies))
	for name, v := range pkg.Dependencies {
		deps = append(deps, &pulumirpc.DependencyInfo{Name: name, Version: v})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: deps}, nil
}

func (h *nodeHost) Cancel(context.Context, *pbempty.Empty) (*pbempty.Empty, error) {
	return &pbempty.Empty{}, nil
}

// Run starts the program through @pulumi/pulumi/cmd/run, resolved from the
// program's own node_modules so the program uses the SDK version it installed.
func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	programDir := req.GetInfo().GetProgramDirectory()
	if programDir == "" {
		programDir = req.GetPwd()
	}
	runScript, err := findUp(programDir, filepath.Join("node_modules", "@pulumi", "pulumi", "cmd", "run", "index.js"))
	if err != nil {
		return &pulumirpc.RunResponse{Error: fmt.Sprintf(
			"could not find @pulumi/pulumi above %s: run `npm install` in the project first", programDir)}, nil
	}

	options := req.GetInfo().GetOptions().AsMap()
	args := nodeArgs(req, options, runScript, h.engineAddress)

	configJSON, err := json.Marshal(req.GetConfig())
	if err != nil {
		return nil, err
	}
	secretKeysJSON, err := json.Marshal(nonNil(req.GetConfigSecretKeys()))
	if err != nil {
		return nil, err
	}

	cmd := exec.CommandContext(ctx, "node", args...)
	// A cancelled run (the engine gave up on it) takes the program's whole group.
	cmd.Cancel = func() error { return killGroup(cmd.Process.Pid) }
	cmd.Dir = req.GetPwd()
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	cmd.Env = append(os.Environ(),
		"PULUMI_CONFIG="+string(configJSON),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		"PULUMI_NODEJS_TYPESCRIPT="+strconv.FormatBool(optionBool(options, "typescript", true)),
	)
	if tsconfig, ok := options["tsconfig"].(string); ok && tsconfig != "" {
		cmd.Env = append(cmd.Env, "PULUMI_NODEJS_TSCONFIG_PATH="+tsconfig)
	}

	err = h.programs.start(cmd)
	if err == nil {
		err = h.programs.wait(cmd)
	}
	if err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			if ws, ok := exitErr.Sys().(syscall.WaitStatus); ok && ws.ExitStatus() == exitCodeErrorAlreadyReported {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{
				Error: fmt.Sprintf("program exited with non-zero exit code: %d", exitErr.ExitCode()),
			}, nil
		}
		return &pulumirpc.RunResponse{Error: fmt.Sprintf("could not start node: %v", err)}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// nodeArgs is the command line of `node` for a run: the runtime's `nodeargs` option,
// then the Node SDK's run script with what the request says, the program, and the
// program's own arguments last.
func nodeArgs(req *pulumirpc.RunRequest, options map[string]any, runScript, engineAddress string) []string {
	args := []string{}
	if extra, ok := options["nodeargs"].(string); ok && extra != "" {
		args = append(args, strings.Fields(extra)...)
	}
	args = append(args, runScript,
		"--monitor", req.GetMonitorAddress(),
		"--engine", engineAddress,
		"--project", req.GetProject(),
		"--stack", req.GetStack(),
		"--pwd", req.GetPwd(),
	)
	if org := req.GetOrganization(); org != "" {
		args = append(args, "--organization", org)
	}
	if root := req.GetInfo().GetRootDirectory(); root != "" {
		args = append(args, "--root-directory", root)
	}
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetQueryMode() {
		args = append(args, "--query-mode")
	}
	if p := req.GetParallel(); p > 0 {
		args = append(args, "--parallel", strconv.Itoa(int(p)))
	}
	args = append(args, req.GetProgram())
	return append(args, req.GetArgs()...)
}

func optionBool(options map[string]any, key string, fallback bool) bool {
	switch v := options[key].(type) {
	case bool:
		return v
	case string:
		b, err := strconv.ParseBool(v)
		if err == nil {
			return b
		}
	}
	return fallback
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// findUp returns the first existing dir/rel, walking from dir towards the root, the
// way Node resolves node_modules.
func findUp(dir, rel string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for {
		candidate := filepath.Join(dir, rel)
		if _, err := os.Stat(candidate); err == nil {
			return candidate, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", os.ErrNotExist
		}
		dir = parent
	}
}
