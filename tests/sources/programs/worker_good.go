// expect: CG201:warning@32
package dispatch

import (
	"context"
	"io"
	"os"
	"os/exec"
	"strings"
)

// StartWorker: a nil Stdin is /dev/null, the environment is the parent's (no key added).
func StartWorker(ctx context.Context, repo, prompt string) error {
	cmd := exec.CommandContext(ctx, "codex", "exec", "-C", repo, "-s", "workspace-write", prompt)
	cmd.Env = append(cmd.Environ(), "TMPDIR="+repo+"/.tmp")
	return cmd.Run()
}

// Review writes the prompt into the pipe from a goroutine and closes it: codex sees EOF.
func Review(repo, prompt string) ([]byte, error) {
	cmd := exec.Command("codex", "exec", "-C", repo, "-s", "read-only", "-o", "review.txt", "-")
	stdin, _ := cmd.StdinPipe()
	go func() {
		defer stdin.Close()
		io.WriteString(stdin, prompt)
	}()
	return cmd.Output()
}

// Interactive hands codex the terminal of the person running it: a warning, not an error.
func Interactive(repo, prompt string) error {
	cmd := exec.Command("codex", "exec", "-C", repo, "-s", "read-only", prompt)
	cmd.Stdin = os.Stdin
	return cmd.Run()
}

// Fed passes the prompt on stdin from a reader that ends.
func Fed(repo, prompt string) error {
	cmd := exec.Command("codex", "exec", "-C", repo, "-s", "read-only", "-o", "out.txt", "-")
	cmd.Stdin = strings.NewReader(prompt)
	return cmd.Run()
}
