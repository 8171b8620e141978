// expect: CG101:error@30 CG303:error@30 CG303:error@35 CG303:error@40
// A Node dispatcher whose argv is assembled across the file; run for real by the tests.
import { spawnSync, execSync } from "node:child_process";

const MODEL = "gpt-5-codex";
const CODEX_FLAGS = "--dangerously-bypass-approvals-and-sandbox";
const BOOT_FLAGS = ["-m", MODEL, "--json"];
const EXTRA_ENV = { OPENAI_API_KEY: process.env.BILLING_KEY ?? "" };

class Lanes {
  static WORKER = ["-s", "workspace-write"];
}

function buildCodexCommand(model, repo) {
  return ["exec", "-s", "read-only", "-m", model, "-C", repo];
}

const baseArgv = (unsafe) => {
  const argv = ["exec", "-C", "."];
  if (unsafe) {
    argv.push(CODEX_FLAGS);
  }
  return argv;
};

export function run(task) {
  const args = [...buildCodexCommand(task.model, task.repo), task.prompt];
  spawnSync("codex", args, { stdio: ["ignore", "inherit", "inherit"] });
  const boot = ["-a", "never", "exec", "-C", task.repo, CODEX_FLAGS, ...BOOT_FLAGS, "Fix it"];
  spawnSync("codex", boot, { env: { ...process.env, ...EXTRA_ENV }, stdio: "ignore" });
}

export function dispatch(task, unsafe = false) {
  const argv = baseArgv(unsafe).concat(Lanes.WORKER, [task.prompt]);
  spawnSync("codex", argv, { stdio: "ignore" });
}

export function review(task) {
  const line = ["codex", "exec", "-s", "read-only", "-C", task.repo, "-"].join(" ");
  execSync(`${line} ${CODEX_FLAGS}`, { input: task.prompt });
}
