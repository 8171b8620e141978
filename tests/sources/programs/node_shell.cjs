// expect: CG101:error@9 CG201:error@9 CG102:error@15 CG303:error@19
// exec/execSync run shell text; a template's ${...} is pasted in raw.
const cp = require("child_process");
const { promisify } = require("util");
const run = promisify(cp.exec);

async function worker(repo, task) {
  const key = process.env.OPENAI_API_KEY_PROD;
  await run(`codex exec -C "${repo}" -s workspace-write "${task}"`, {
    env: { PATH: process.env.PATH, OPENAI_API_KEY: key },
  });
}

function login(key) {
  cp.execSync("codex login --with-api-key", { input: key });
}

function yolo(repo) {
  cp.execSync("cd " + repo + " && codex exec --yolo -C . 'Fix the build'", { stdio: "ignore" });
}

module.exports = { worker, login, yolo };
