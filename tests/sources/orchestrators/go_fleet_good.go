// expect: none
// The same Go dispatcher, done right: a sandbox per lane, stdin fed and closed, no API key.
package fleet

import (
	"os"
	"os/exec"
	"strings"
)

const model = "gpt-5-codex"

var safeFlags = []string{"-s", "workspace-write", "-m", model}

func cleanEnv() []string {
	env := []string{}
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "OPENAI_API_KEY=") && !strings.HasPrefix(kv, "CODEX_API_KEY=") {
			env = append(env, kv)
		}
	}
	return env
}

func workerArgv(repo string) []string {
	return append([]string{"exec", "-C", repo}, safeFlags...)
}

func Dispatch(repo, prompt string) error {
	cmd := exec.Command("codex", append(workerArgv(repo), "-")...)
	cmd.Stdin = strings.NewReader(prompt)
	cmd.Env = cleanEnv()
	return cmd.Run()
}

func Review(repo string) error {
	line := strings.Join([]string{"codex", "exec", "-s", "read-only", "-C", repo, "review"}, " ")
	return exec.Command("sh", "-c", line+" </dev/null").Run()
}

// Usage only mentions codex exec --yolo: never run it here.
func Usage() string {
	return "codex exec " + strings.Join(safeFlags, " ") + " -- avoid --full-auto"
}
