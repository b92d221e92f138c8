import { type ChildProcess, execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const CLI = fileURLToPath(new URL("../src/cli.js", import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `parapet audit` in a child process, as a developer or CI would. `env`, when given, is the child's whole
 * environment (plus PATH): the machine's own npm settings must not leak into a test that sets its own.
 */
export function runCli(args: readonly string[], env?: Record<string, string>): Promise<CliResult> {
  return startCli(args, env).result;
}

/** The same, with the child in hand: to signal it mid-run as CI does when a job is cancelled. */
export function startCli(args: readonly string[], env?: Record<string, string>): { child: ChildProcess; result: Promise<CliResult> } {
  // exitCode, as the installed `parapet` sets it: process.exit() cut a large --json document off mid-write to the
  // pipe (seen on Node 24 with a 150 KB report), which `parapet audit --json | jq` would never see.
  const script = `import(${JSON.stringify(CLI)}).then((m) => m.run(process.argv.slice(1))).then((code) => { process.exitCode = code; });`;
  const options = { timeout: 60_000, ...(env ? { env: { PATH: process.env.PATH ?? "", ...env } } : {}) };
  let child: ChildProcess | undefined;
  const result = new Promise<CliResult>((resolve) => {
    child = execFile(process.execPath, ["--input-type=module", "-e", script, ...args], options, (error, stdout, stderr) => {
      const code = error && typeof error.code === "number" ? error.code : error ? -1 : 0;
      resolve({ code, stdout, stderr });
    });
  });
  return { child: child as unknown as ChildProcess, result };
}
