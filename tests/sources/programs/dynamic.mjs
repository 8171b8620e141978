// expect: CG902:info@7
import { spawn } from "node:child_process";

const bin = process.env.CODEX_BIN ?? findCodex();
// The program is unknown here, but the argv is codex's: the linter says it cannot see it.
export const start = (repo, task) =>
  spawn(bin, ["exec", "-C", repo, "-s", "workspace-write", task], { stdio: "ignore" });
