// expect: CG101:error@20 CG201:error@20 CG303:error@20
// A worker dispatcher: argv built in the function, a flag on one branch, the key passed on.
import { spawn } from "node:child_process";

const REPO = "/srv/agents/repo";

export function dispatchWorker(taskId, prompt, { unsafe = false, model } = {}) {
  const args = ["exec", "-C", REPO, "-s", "workspace-write"];
  if (model) {
    args.push("-m", model);
  }
  args.push(
    ...(unsafe ? ["--dangerously-bypass-approvals-and-sandbox"] : []),
    "-o",
    `runs/${taskId}.txt`,
    prompt,
  );
  const env = { ...process.env, OPENAI_API_KEY: process.env.BILLING_KEY };
  // stdio defaults to 'pipe' and nobody ends child.stdin: codex waits for EOF forever.
  const child = spawn("codex", args, { env });
  child.stdout.on("data", (chunk) => process.stdout.write(chunk));
  return new Promise((resolve) => child.on("close", resolve));
}
