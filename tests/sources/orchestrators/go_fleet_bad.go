// expect: CG903:error@40 CG101:error@44 CG303:error@44 CG303:error@51 CG202:error@56 CG303:error@56
// A fleet dispatcher in Go: the argv is assembled across the file.
package fleet

import (
	"os"
	"os/exec"
	"strings"
)

const (
	model      = "gpt-5-codex"
	codexFlags = "--dangerously-bypass-approvals-and-sandbox"
)

var bootFlags = []string{"-m", model, "-c", "model_reasoning_effort=high", "--json"}

type Task struct {
	Model, Repo, Prompt string
}

func buildCodexCommand(model, repo string) []string {
	return []string{"exec", "--full-auto", "-m", model, "-C", repo}
}

func baseArgv(unsafe bool) []string {
	argv := []string{"exec", "-C", "."}
	if unsafe {
		argv = append(argv, codexFlags)
	}
	return argv
}

func billingEnv() []string {
	return append(os.Environ(), "OPENAI_API_KEY="+os.Getenv("BILLING_KEY"))
}

func Run(t Task) error {
	args := append(buildCodexCommand(t.Model, t.Repo), t.Prompt)
	if err := exec.Command("codex", args...).Run(); err != nil {
		return err
	}
	boot := append([]string{"-a", "never", "exec", "-C", t.Repo, codexFlags}, bootFlags...)
	cmd := exec.Command("codex", append(boot, "Fix it")...)
	cmd.Env = billingEnv()
	return cmd.Run()
}

func Dispatch(t Task, unsafe bool) error {
	argv := append(baseArgv(unsafe), "-s", "workspace-write", t.Prompt)
	return exec.Command("codex", argv...).Run()
}

func Review(t Task) error {
	line := strings.Join([]string{"codex", "exec", "-s", "read-only", "-C", t.Repo, codexFlags}, " ")
	return exec.Command("sh", "-c", line+" </dev/null").Run()
}
