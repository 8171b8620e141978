// expect: none
// Docs and helpers that only talk about codex: never a finding.
// e.g. codex exec --yolo "do it" with OPENAI_API_KEY=sk-... (do not do this)
const { spawn } = require("child_process");

const HELP = ["codex", "exec", "--yolo", "p"]; // shown in --help, never run
console.log("run: codex exec --dangerously-bypass-approvals-and-sandbox");
console.log(`OPENAI_API_KEY=x codex exec -s danger-full-access "${HELP.join(" ")}"`);

spawn("git", ["commit", "-m", "codex exec --yolo"], { stdio: "inherit" });
spawn("grep", ["-rn", "codex exec", "scripts/"], { stdio: "inherit" });
const app = { run: (argv) => argv };
app.run(["codex", "exec", "--yolo"]);
