// expect: none
// Only mentions codex: the same constants and helpers, but nothing here starts it.
import { spawnSync } from "node:child_process";

export const DANGER = "--dangerously-bypass-approvals-and-sandbox" as const;
const BILLING_ENV = { ...process.env, OPENAI_API_KEY: process.env.BILLING_KEY ?? "" };

export class Help {
  static readonly TEXT = `codex exec ${DANGER} is for throwaway VMs only`;
}

function usage(flag: string): string {
  return `usage: codex exec ${flag} -C DIR PROMPT`;
}

export function explain(unsafe: boolean): void {
  const words = ["echo", "never run codex with", unsafe ? DANGER : "--yolo"];
  spawnSync(words[0], words.slice(1), { stdio: "inherit" });
  spawnSync("echo", [usage(DANGER), Help.TEXT], { env: BILLING_ENV, stdio: "inherit" });
  spawnSync("grep", ["-rn", "codex exec --yolo", "docs/"], { stdio: "inherit" });
  spawnSync("bash", ["-c", `echo "codex exec ${DANGER}" # a comment about codex`]);
}
