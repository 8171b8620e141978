// expect: CG101:error@23 CG303:error@23 CG903:error@23 CG303:error@25
// A TypeScript runner class: the argv and env come from its methods, fields and statics.
import { spawn } from "node:child_process";
export class Runner {
  private readonly base = ["exec", "-C", "."];
  static readonly SANDBOX = "danger-full-access";

  private buildArgs(prompt: string, unsafe: boolean): string[] {
    const args = [...this.base, "-s", Runner.SANDBOX];
    if (unsafe) args.push("--full-auto");
    return [...args, prompt];
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, OPENAI_API_KEY: process.env.K };
  }

  static argv(prompt: string): string[] {
    return ["exec", "--yolo", "-C", ".", prompt];
  }

  run(prompt: string): void {
    const child = spawn("codex", this.buildArgs(prompt, false), { env: this.env(), stdio: ["ignore", "pipe", "pipe"] });
    child.on("exit", () => undefined);
    spawn("codex", Runner.argv(prompt), { stdio: "ignore" });
  }
}
