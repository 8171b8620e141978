// expect: CG902:info@11
package dispatch

import (
	"os"
	"os/exec"
)

func Start(repo, task string) error {
	bin := os.Getenv("CODEX_BIN")
	return exec.Command(bin, "exec", "-C", repo, "-s", "workspace-write", task).Run()
}
