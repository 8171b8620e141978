// expect: CG903:error@34 CG101:error@36 CG303:error@36 CG303:error@41 CG303:error@46
// A fleet dispatcher in TypeScript: the argv is assembled across the file.
import { spawn, spawnSync, execSync } from "node:child_process";

const MODEL = "gpt-5-codex" as const;
const CODEX_FLAGS = "--dangerously-bypass-approvals-and-sandbox";
const BOOT_FLAGS = ["-m", MODEL, "-c", "model_reasoning_effort=high", "--json"] as const;
const EXTRA_ENV = { OPENAI_API_KEY: process.env.BILLING_KEY ?? "" };

class Lanes {
  static readonly WORKER = ["-s", "workspace-write"];
}

interface Task {
  model: string;
  repo: string;
  prompt: string;
}

function buildCodexCommand(model: string, repo: string): string[] {
  return ["exec", "--full-auto", "-m", model, "-C", repo];
}

const baseArgv = (unsafe: boolean): string[] => {
  const argv = ["exec", "-C", "."];
  if (unsafe) {
    argv.push(CODEX_FLAGS);
  }
  return argv;
};

export function run(task: Task): void {
  const args = [...buildCodexCommand(task.model, task.repo), task.prompt];
  spawnSync("codex", args, { stdio: ["ignore", "inherit", "inherit"] });
  const boot = ["-a", "never", "exec", "-C", task.repo, CODEX_FLAGS, ...BOOT_FLAGS, "Fix it"];
  spawnSync("codex", boot, { env: { ...process.env, ...EXTRA_ENV }, stdio: "ignore" });
}

export function dispatch(task: Task, unsafe = false): void {
  const argv = baseArgv(unsafe).concat(Lanes.WORKER, [task.prompt]);
  spawnSync("codex", argv, { stdio: "ignore" });
}

export function review(task: Task): void {
  const line = ["codex", "exec", "-s", "read-only", "-C", task.repo, "-"].join(" ");
  execSync(`${line} ${CODEX_FLAGS}`, { input: task.prompt });
}
