// expect: none
// Only mentions codex: a help string, a grep and an echo.
package fleet

import "os/exec"

const help = "codex exec --dangerously-bypass-approvals-and-sandbox is for VMs only"

var flags = []string{"--full-auto", "--yolo"}

func FindUses(root string) ([]byte, error) {
	_ = exec.Command("echo", append([]string{help}, flags...)...).Run()
	return exec.Command("grep", "-rn", "codex exec .*--yolo", root).Output()
}
