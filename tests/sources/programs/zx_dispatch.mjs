#!/usr/bin/env zx
// expect: CG201:error@6 CG303:error@6 CG101:error@14
// zx runs the template through a shell; its stdin is a pipe zx never ends.
const repo = argv.repo ?? "/srv/agents/repo";
const flags = argv.unsafe ? ["--yolo"] : ["-s", "workspace-write"];
await $`codex exec -C ${repo} ${flags} ${argv.task}`;

// Closed or fed: no hang.
await $`codex exec -C ${repo} -s read-only ${argv.task} </dev/null`;
const p = $`codex exec -C ${repo} -s read-only -`;
p.stdin.write(argv.task);
p.stdin.end();
process.env.CODEX_API_KEY = argv.key;
await $`codex exec -C ${repo} -s read-only - < task.md`;
