// expect: none
// The same Go lane runner done right: a sandbox on every branch, no API key, stdin closed.
package lanes

import (
	"os"
	"os/exec"
	"strings"
)

const (
	Model       = "gpt-5-codex"
	NetworkFlag = "sandbox_workspace_write.network_access=true"
)

var reviewFlags = []string{"-s", "read-only", "-m", Model}

func codexEnv() []string {
	return append(os.Environ(), "RUST_LOG=warn")
}

func laneFlags(sandbox string) []string {
	return []string{"exec", "-s", sandbox, "-C", "."}
}

func withModel(sandbox string) []string {
	return append(laneFlags(sandbox), "-m", Model)
}

func argvFor(sandbox string) []string {
	return append(withModel(sandbox), "--json")
}

func Review(prompt string) error {
	cmd := exec.Command("codex", append(append([]string{"exec"}, reviewFlags...), "-C", ".", prompt)...)
	cmd.Env = codexEnv()
	return cmd.Run()
}

func Work(prompt string, network bool, lane string) error {
	args := []string{"exec", "-C", "."}
	if network {
		args = append(args, "-c", NetworkFlag)
	}
	switch lane {
	case "boot":
		args = append(args, "-s", "workspace-write")
	default:
		args = append(args, "-s", "read-only")
	}
	return exec.Command("codex", append(args, prompt)...).Run()
}

func Logged(prompt string, debug bool) error {
	env := os.Environ()
	if debug {
		env = append(env, "RUST_LOG=debug")
	}
	cmd := exec.Command("codex", "exec", "-s", "read-only", "-C", ".", prompt)
	cmd.Env = env
	return cmd.Run()
}

func Shell(dir string) error {
	line := strings.Join([]string{"codex", "exec", "-s", "read-only", "-C", dir, "review"}, " ")
	return exec.Command("sh", "-c", line+" </dev/null").Run()
}

func Deep(prompt string) error {
	return exec.Command("codex", append(argvFor("workspace-write"), prompt)...).Run()
}
