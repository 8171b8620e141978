// expect: none
import { Codex } from "@openai/codex-sdk";

const codex = new Codex();

export async function fix(issue: string, threadId?: string) {
  const thread = threadId
    ? codex.resumeThread(threadId, { workingDirectory: "/srv/agents/repo" })
    : codex.startThread({ workingDirectory: "/srv/agents/repo", sandboxMode: "workspace-write" });
  return thread.run(`Fix: ${issue}`);
}
