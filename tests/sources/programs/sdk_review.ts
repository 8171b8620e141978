// expect: CG101:error@14 CG303:error@14
import { Codex, type ThreadOptions } from "@openai/codex-sdk";

// The SDK sets apiKey as CODEX_API_KEY for the codex it spawns: API billing.
const codex = new Codex({ apiKey: process.env.OPENAI_API_KEY });

export async function review(prNumber: number, trusted: boolean): Promise<string> {
  const options: ThreadOptions = {
    workingDirectory: "/srv/agents/repo",
    sandboxMode: trusted ? "danger-full-access" : "read-only",
    approvalPolicy: "never",
    networkAccessEnabled: false,
  };
  const thread = codex.startThread(options);
  const turn = await thread.run(`Review PR #${prNumber}. Output VERDICT: PASS|FAIL.`);
  return turn.finalResponse;
}
