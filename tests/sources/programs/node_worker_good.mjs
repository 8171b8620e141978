// expect: CG203:warning@23
// The same dispatcher done right: stdin closed or fed, no key, a sandbox and a working root.
import { spawn, execFileSync } from "node:child_process";

const REPO = "/srv/agents/repo";

export function dispatchWorker(taskId, prompt) {
  const args = ["exec", "-C", REPO, "-s", "workspace-write", "-o", `runs/${taskId}.txt`, prompt];
  const child = spawn("codex", args, { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve) => child.on("close", resolve));
}

export function validate(taskId) {
  // A sync spawn writes `input` (here none) into the pipe and closes it.
  return execFileSync(
    "codex",
    ["exec", "-C", REPO, "-s", "read-only", "-o", `verdicts/${taskId}.txt`, "Validate the change."],
    { encoding: "utf8" },
  );
}

export function fedThroughThePipe(prompt) {
  const child = spawn("codex", ["exec", "-C", REPO, "-s", "read-only", "Summarise the diff below."]);
  child.stdin.write(prompt);
  child.stdin.end();
  return child;
}

export function promptOnStdin(prompt) {
  const child = spawn("codex", ["exec", "-C", REPO, "-s", "read-only", "-o", "summary.txt", "-"]);
  child.stdin.end(prompt);
  return child;
}
