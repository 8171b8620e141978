// expect: none
// Only mentions codex: the same constants and helpers, but nothing here starts it.
package lanes

import (
	"fmt"
	"os"
	"os/exec"
)

const DangerFlags = "--dangerously-bypass-approvals-and-sandbox"

var billingEnv = append(os.Environ(), "OPENAI_API_KEY="+os.Getenv("BILLING_KEY"))

func usage(flag string) string {
	return fmt.Sprintf("usage: codex exec %s -C DIR PROMPT", flag)
}

func Explain(unsafe bool) error {
	words := []string{"never run codex with", "--yolo"}
	if unsafe {
		words = append(words, DangerFlags)
	}
	cmd := exec.Command("echo", append(words, usage(DangerFlags))...)
	cmd.Env = billingEnv
	if err := cmd.Run(); err != nil {
		return err
	}
	if err := exec.Command("grep", "-rn", "codex exec --yolo", "docs/").Run(); err != nil {
		return err
	}
	return exec.Command("sh", "-c", `echo "codex exec `+DangerFlags+`" # about codex`).Run()
}
