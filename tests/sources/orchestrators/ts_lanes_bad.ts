// expect: CG101:error@25 CG303:error@38 CG903:error@38 CG101:error@43 CG303:error@43 CG303:error@47 CG303:error@51
// A lane runner in TypeScript: flags, env and argv built across the file (issue 13).
import { spawnSync } from "node:child_process";

export const MODEL = "gpt-5-codex" as const;
export const REVIEW_FLAGS = ["-s", "read-only", "-m", MODEL] as const;
const BILLING_ENV = { ...process.env, OPENAI_API_KEY: process.env.BILLING_KEY ?? "" };

export class Lanes {
  static readonly BOOT = ["--full-auto", "-C", "."] as const;
  static sandbox = "danger-full-access";
}

function codexEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra, CODEX_API_KEY: process.env.CI_KEY ?? "" };
}

function laneFlags(flag: string): string[] {
  return ["exec", flag, "-C", "."];
}
const withModel = (flag: string): string[] => [...laneFlags(flag), "-m", MODEL];
const argvFor = (flag: string): string[] => withModel(flag).concat(["--json"]);

export function review(prompt: string): void {
  spawnSync("codex", ["exec", ...REVIEW_FLAGS, "-C", ".", prompt], { env: BILLING_ENV, stdio: "ignore" });
}

export function work(prompt: string, unsafe: boolean, lane: string): void {
  const args: string[] = ["exec", "-C", "."];
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

export function fast(prompt: string, yolo = false): void {
  const argv = ["exec", ...(yolo ? ["--yolo"] : ["-s", "workspace-write"]), "-C", ".", prompt];
  spawnSync("codex", argv, { env: codexEnv({ LANE: "fast" }), stdio: "ignore" });
}

export function shell(dir: string): void {
  spawnSync("bash", ["-c", `codex exec -s ${Lanes.sandbox} -C ${dir} "fix it" </dev/null`]);
}

export function deep(prompt: string): void {
  spawnSync("codex", [...argvFor("--sandbox=danger-full-access"), prompt], { stdio: "ignore" });
}
