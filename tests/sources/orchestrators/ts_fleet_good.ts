// expect: none
// The same TypeScript dispatcher, done right: a sandbox per lane, stdin closed, no API key.
import { spawnSync, execSync } from "node:child_process";

const MODEL = "gpt-5-codex" as const;
const SAFE_FLAGS = ["-s", "workspace-write", "-m", MODEL] as const;
const FORBIDDEN = new Set(["OPENAI_API_KEY", "CODEX_API_KEY"]);

class Lanes {
  static readonly REVIEW = ["-s", "read-only", "--skip-git-repo-check"];
}

function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !FORBIDDEN.has(k)));
}

function workerArgv(repo: string): string[] {
  return ["exec", "-C", repo, ...SAFE_FLAGS];
}

export function dispatch(repo: string, prompt: string): void {
  const argv = workerArgv(repo).concat([prompt]);
  spawnSync("codex", argv, { stdio: ["ignore", "inherit", "inherit"], env: cleanEnv() });
}

export function review(repo: string, prompt: string): void {
  const line = ["codex", "exec", "-C", repo, ...Lanes.REVIEW, "-"].join(" ");
  execSync(line, { input: prompt });
}

export function describe(): string {
  // codex exec --yolo would bypass the sandbox: never here
  return `Run codex exec ${SAFE_FLAGS.join(" ")} from the repo root; avoid --full-auto.`;
}
