// expect: none
// Only mentions codex: a help string, a grep and an echo.
import { spawnSync } from "node:child_process";

const HELP = "codex exec --dangerously-bypass-approvals-and-sandbox is for VMs only";
const FLAGS = ["--full-auto", "--yolo"];

export function findUses(root: string): string {
  const grep = spawnSync("grep", ["-rn", "codex exec .*--yolo", root], { encoding: "utf8" });
  spawnSync("echo", [HELP, ...FLAGS], { stdio: "inherit" });
  return grep.stdout;
}
