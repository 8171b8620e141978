// expect: CG201:error@7 CG303:error@13 CG201:warning@16
import { execa, execaCommand, $ } from "execa";

const repo = "/srv/agents/repo";

// execa's stdin defaults to 'pipe' and is never ended without `input`.
await execa("codex", ["exec", "-C", repo, "-s", "read-only", "Summarise the repo"]);
await execa("codex", ["exec", "-C", repo, "-s", "read-only", "Summarise the repo"], {
  stdin: "ignore",
});
await execa("codex", ["exec", "-C", repo, "-s", "read-only", "-"], { input: "Summarise" });
// execaCommand splits on spaces, no shell.
await execaCommand("codex exec -C /srv/agents/repo --yolo Summarise", { stdin: "ignore" });
await execa({ stdin: "ignore" })`codex exec -C ${repo} -s read-only ${"Summarise the repo"}`;
// execa's own $ inherits the parent's stdin (a terminal, or an idle pipe under an agent).
await $`codex exec -C ${repo} -s read-only ${"Summarise the repo"}`;
