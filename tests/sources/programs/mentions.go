// expect: none
package docs

import (
	"fmt"
	"os/exec"
)

// Usage: never run `codex exec --yolo` with OPENAI_API_KEY set.
const usage = "codex exec --dangerously-bypass-approvals-and-sandbox \"task\""

func Print() {
	fmt.Println(usage)
	_ = exec.Command("git", "commit", "-m", "codex exec --yolo").Run()
	_ = exec.Command("grep", "-rn", "codex exec", "scripts").Run()
}
