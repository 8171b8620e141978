// expect: CG901:warning@7
package dispatch

import "os/exec"

func Start(repo string) error {
	return exec.Command("codex", "exec", "-C", repo,
}
