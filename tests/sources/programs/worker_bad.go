// expect: CG101:error@33 CG303:error@33 CG201:error@42
// Package dispatch starts codex workers for the lane runner.
package dispatch

import (
	"context"
	"fmt"
	"os"
	"os/exec"
)

type Task struct {
	ID     string
	Repo   string
	Prompt string
	Unsafe bool
	Model  string
}

func StartWorker(ctx context.Context, t Task, billingKey string) error {
	args := []string{"exec", "-C", t.Repo}
	switch {
	case t.Unsafe:
		args = append(args, "--dangerously-bypass-approvals-and-sandbox")
	default:
		args = append(args, "-s", "workspace-write")
	}
	if t.Model != "" {
		args = append(args, "-m", t.Model)
	}
	args = append(args, "-o", fmt.Sprintf("runs/%s.txt", t.ID), t.Prompt)

	cmd := exec.CommandContext(ctx, "codex", args...)
	cmd.Env = append(os.Environ(), "OPENAI_API_KEY="+billingKey)
	cmd.Stdout = os.Stdout
	return cmd.Run()
}

// Validate feeds nothing into the pipe it asked for; the deferred Close runs only after Run
// returns, and Run waits for codex, which waits for EOF.
func Validate(repo, prompt string) error {
	cmd := exec.Command("codex", "exec", "-C", repo, "-s", "read-only", "-o", "verdict.txt", prompt)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return err
	}
	defer stdin.Close()
	return cmd.Run()
}
