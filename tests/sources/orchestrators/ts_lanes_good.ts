// expect: none
// The same lane runner done right: a sandbox on every branch, no API key, stdin closed.
import { spawnSync } from "node:child_process";

export const MODEL = "gpt-5-codex" as const;
export const REVIEW_FLAGS = ["-s", "read-only", "-m", MODEL] as const;
const LANE_ENV = { ...process.env, RUST_LOG: "warn" };

export class Lanes {
  static readonly BOOT = ["-s", "workspace-write", "-m", MODEL] as const;
  static sandbox = "read-only";
}

function codexEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra, TMPDIR: "/srv/tmp" };
  delete env.OPENAI_API_KEY;
  return env;
}

function laneFlags(sandbox: string): string[] {
  return ["exec", "-s", sandbox, "-C", "."];
}
const withModel = (sandbox: string): string[] => [...laneFlags(sandbox), "-m", MODEL];
const argvFor = (sandbox: string): string[] => withModel(sandbox).concat(["--json"]);

export function review(prompt: string): void {
  spawnSync("codex", ["exec", ...REVIEW_FLAGS, "-C", ".", prompt], { env: LANE_ENV, stdio: "ignore" });
}

export function work(prompt: string, network: boolean, lane: string): void {
  const args: string[] = ["exec", "-C", "."];
  if (network) args.push("-c", "sandbox_workspace_write.network_access=true");
  switch (lane) {
    case "boot":
      args.push(...Lanes.BOOT);
      break;
    default:
      args.push("-s", "read-only");
  }
  spawnSync("codex", [...args, prompt], { stdio: "ignore" });
}

export function fast(prompt: string, quick = false): void {
  const argv = ["exec", ...(quick ? ["-s", "read-only"] : ["-s", "workspace-write"]), "-C", ".", prompt];
  spawnSync("codex", argv, { env: codexEnv({ LANE: "fast" }), stdio: "ignore" });
}

export function shell(): void {
  spawnSync("bash", ["-c", `codex exec -s ${Lanes.sandbox} -C /srv/repo "fix it" </dev/null`]);
}

export function deep(prompt: string): void {
  spawnSync("codex", [...argvFor("workspace-write"), prompt], { stdio: "ignore" });
}
