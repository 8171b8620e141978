// expect: CG101:error@21 CG303:error@21
// A Go runner type: the argv and env come from its methods.
package runner

import (
	"os"
	"os/exec"
)

type Runner struct{ Repo string }

func (r *Runner) args(flag string) []string {
	return []string{"exec", flag, "-C", r.Repo}
}

func (r *Runner) env() []string {
	return append(os.Environ(), "OPENAI_API_KEY="+os.Getenv("K"))
}

func (r *Runner) Run(prompt string) error {
	cmd := exec.Command("codex", append(r.args("--yolo"), prompt)...)
	cmd.Env = r.env()
	return cmd.Run()
}
