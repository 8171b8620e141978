// expect: CG101:error@5 CG201:error@9 CG303:error@13 CG201:warning@19
// Bun and Deno spawns. Bun.spawn's stdin defaults to "ignore"; Deno.Command inherits it.
const repo = "/srv/agents/repo";

const proc = Bun.spawn(["codex", "exec", "-C", repo, "-s", "read-only", "Check the build"], {
  env: { ...process.env, CODEX_API_KEY: Bun.env.CODEX_KEY },
});
await proc.exited;
const piped = Bun.spawn({
  cmd: ["codex", "exec", "-C", repo, "-s", "read-only", "Check the build"],
  stdin: "pipe",
});
await Bun.$`codex exec -C ${repo} -s danger-full-access ${"Check the build"} </dev/null`;

const quiet = new Deno.Command("codex", {
  args: ["exec", "-C", repo, "-s", "read-only", "Check the build"],
  stdin: "null",
});
const out = await new Deno.Command("codex", {
  args: ["exec", "-C", repo, "-s", "read-only", "Check the build"],
}).output();
