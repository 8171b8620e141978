// expect: CG101:error@27 CG303:error@40 CG903:error@40 CG101:error@45 CG303:error@45 CG303:error@49 CG303:error@53
// The TypeScript lane runner as plain JavaScript; the tests run it for real with node.
import { spawnSync } from "node:child_process";

export const MODEL = "gpt-5-codex";
export const REVIEW_FLAGS = ["-s", "read-only", "-m", MODEL];
const BILLING_ENV = { ...process.env, OPENAI_API_KEY: process.env.BILLING_KEY ?? "" };

export class Lanes {
  static BOOT = ["--full-auto", "-m", MODEL];
  static sandbox = "danger-full-access";
}

function codexEnv(extra) {
  return { ...process.env, ...extra, CODEX_API_KEY: process.env.BILLING_KEY ?? "" };
}

function laneFlags(flag) {
  return ["exec", flag, "-C", "."];
}
const withModel = (flag) => [...laneFlags(flag), "-m", MODEL];
const argvFor = (flag) => withModel(flag).concat(["--json"]);

const QUIET = { stdio: ["ignore", "ignore", "inherit"] };

export function review(prompt) {
  spawnSync("codex", ["exec", ...REVIEW_FLAGS, "-C", ".", prompt], { ...QUIET, env: BILLING_ENV });
}

export function work(prompt, unsafe, lane) {
  const args = ["exec", "-C", "."];
  if (unsafe) args.push("--dangerously-bypass-approvals-and-sandbox");
  switch (lane) {
    case "boot":
      args.push(...Lanes.BOOT);
      break;
    default:
      args.push("-s", "workspace-write");
  }
  spawnSync("codex", [...args, prompt], { stdio: "ignore" });
}

export function fast(prompt, yolo = false) {
  const argv = ["exec", ...(yolo ? ["--yolo"] : ["-s", "workspace-write"]), "-C", ".", prompt];
  spawnSync("codex", argv, { env: codexEnv({ LANE: "fast" }), stdio: "ignore" });
}

export function shell(dir) {
  spawnSync("bash", ["-c", `codex exec -s ${Lanes.sandbox} -C ${dir} "fix it" </dev/null`]);
}

export function deep(prompt) {
  spawnSync("codex", [...argvFor("--sandbox=danger-full-access"), prompt], { stdio: "ignore" });
}
