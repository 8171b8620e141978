// expect: CG101:error@36 CG303:error@52 CG903:error@52 CG101:error@60 CG202:error@67 CG303:error@67 CG303:error@71
// A lane runner in Go: flags, env and argv built across the file (issue 13).
package lanes

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
)

const (
	Model       = "gpt-5-codex"
	DangerFlags = "--dangerously-bypass-approvals-and-sandbox"
)

var reviewFlags = []string{"-s", "read-only", "-m", Model}

func codexEnv() []string {
	return append(os.Environ(), "OPENAI_API_KEY="+os.Getenv("BILLING_KEY"))
}

func laneFlags(flag string) []string {
	return []string{"exec", flag, "-C", "."}
}

func withModel(flag string) []string {
	return append(laneFlags(flag), "-m", Model)
}

func argvFor(flag string) []string {
	return append(withModel(flag), "--json")
}

func Review(prompt string) error {
	cmd := exec.Command("codex", append(append([]string{"exec"}, reviewFlags...), "-C", ".", prompt)...)
	cmd.Env = codexEnv()
	return cmd.Run()
}

func Work(prompt string, unsafe bool, lane string) error {
	args := []string{"exec", "-C", "."}
	if unsafe {
		args = append(args, DangerFlags)
	}
	switch lane {
	case "boot":
		args = append(args, "--full-auto")
	default:
		args = append(args, "-s", "workspace-write")
	}
	return exec.Command("codex", append(args, prompt)...).Run()
}

func Billing(prompt string, ci bool) error {
	env := os.Environ()
	if ci {
		env = append(env, fmt.Sprintf("CODEX_API_KEY=%s", os.Getenv("CI_KEY")))
	}
	cmd := exec.Command("codex", "exec", "-s", "read-only", "-C", ".", prompt)
	cmd.Env = env
	return cmd.Run()
}

func Shell(dir string) error {
	line := strings.Join([]string{"codex", "exec", "--yolo", "-C", dir, "-"}, " ")
	return exec.Command("sh", "-c", line+" </dev/null").Run()
}

func Deep(prompt string) error {
	return exec.Command("codex", append(argvFor("--sandbox=danger-full-access"), prompt)...).Run()
}
