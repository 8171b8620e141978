// expect: CG901:warning@5
import { spawn } from "node:child_process";

export function run(task: string) {
  const args = ["exec", "-s", "read-only", task;
  spawn("codex", args);
}
