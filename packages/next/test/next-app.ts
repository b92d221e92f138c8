/**
 * Builds test/fixture-app with the real `next build` and serves it with
 * `next start` on 127.0.0.1, for tests that talk to it over HTTP.
 *
 * The app is built from a copy under dist/ (git-ignored): Next writes into the
 * folder it builds (`.next/`, and `tsconfig.json` / `next-env.d.ts` when it
 * sees TypeScript), and tracked sources must stay as they are. The copy stays
 * inside the repository so that `next`, `react` and the workspace packages
 * resolve from the root node_modules, as they do for an app in a monorepo.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { cp, rm } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** packages/next, from dist/test where this file runs. */
const packageDir = fileURLToPath(new URL("../../", import.meta.url));
const fixtureDir = join(packageDir, "test", "fixture-app");
export const buildDir = join(packageDir, "dist", "fixture-app");
const nextBin = join(dirname(createRequire(import.meta.url).resolve("next/package.json")), "dist", "bin", "next");
const exitWithParent = new URL("./exit-with-parent.js", import.meta.url).href;

// Telemetry would try the network, and this must run offline. `next build` and `next start` expect
// NODE_ENV=production and warn about any other value a shell or runner may have set.
const nextEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", NODE_ENV: "production" };

/** How much of Next's output a failure message quotes: its last lines say what went wrong. */
const OUTPUT_TAIL = 4_000;

export interface NextApp {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** Everything the server printed so far, for failure messages. */
  output(): string;
  /** Kills the server (and any worker it started); safe to call twice. */
  stop(): Promise<void>;
}

/** Copies the fixture under dist/ and runs `next build` there; rejects with Next's output if the build fails or overruns. */
export async function buildFixtureApp(timeoutMs: number): Promise<void> {
  await rm(buildDir, { recursive: true, force: true });
  await cp(fixtureDir, buildDir, { recursive: true });
  const child = spawnNext(["build"]);
  const output = collect(child);
  const exit = await waitForExit(child, timeoutMs);
  if (exit !== 0) {
    await killGroup(child);
    const why = exit === undefined ? `did not finish within ${timeoutMs / 1000} s` : `exited with ${exit}`;
    throw new Error(`next build of ${buildDir} ${why}; its output ends with:\n${output().slice(-OUTPUT_TAIL)}`);
  }
}

/** Starts `next start` on a free port of 127.0.0.1 and resolves once it answers HTTP. */
export async function startFixtureApp(timeoutMs: number): Promise<NextApp> {
  // -p 0: the kernel picks a free port, and Next prints the one it got.
  const child = spawnNext(["start", "-H", "127.0.0.1", "-p", "0"]);
  const output = collect(child);
  const app: NextApp = {
    get url() {
      return listeningUrl(output()) ?? "";
    },
    output,
    async stop() {
      await killGroup(child);
    },
  };
  try {
    await waitUntilServing(app, child, Date.now() + timeoutMs);
    return app;
  } catch (error) {
    await app.stop();
    throw error;
  }
}

function spawnNext(args: readonly string[]): ChildProcess {
  // detached: Next runs in its own process group, so killing the group also ends the workers `next build` forks.
  // That group no longer gets the terminal's Ctrl-C, so exit-with-parent ends it when the test process dies.
  return spawn(process.execPath, ["--import", exitWithParent, nextBin, ...args], {
    cwd: buildDir,
    env: nextEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

function collect(child: ChildProcess): () => string {
  let text = "";
  const append = (chunk: Buffer) => {
    text += chunk.toString("utf8");
  };
  child.stdout?.on("data", append);
  child.stderr?.on("data", append);
  return () => text;
}

function listeningUrl(output: string): string | undefined {
  const port = /http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1];
  return port && port !== "0" ? `http://127.0.0.1:${port}` : undefined;
}

async function waitUntilServing(app: NextApp, child: ChildProcess, deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `next start exited (${child.exitCode ?? child.signalCode}) before serving; its output:\n${app.output().slice(-OUTPUT_TAIL)}`,
      );
    }
    if (app.url) {
      // Any HTTP answer will do (a 404 on /): the server is up. No rule-protected path, so no quota is spent.
      const answered = await fetch(`${app.url}/`, { signal: AbortSignal.timeout(2_000) }).then(
        async (response) => {
          await response.arrayBuffer();
          return true;
        },
        () => false,
      );
      if (answered) return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`next start did not answer on 127.0.0.1 in time; its output:\n${app.output().slice(-OUTPUT_TAIL)}`);
}

/** The exit code, or undefined when the process is still running at the deadline. */
function waitForExit(child: ChildProcess, timeoutMs: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(undefined), timeoutMs);
    // "close", not "exit": by then the output pipes are drained, so a failure message has the last lines.
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** SIGTERM to the group, SIGKILL if it is still there after a grace period. */
async function killGroup(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    signalGroup(child, "SIGKILL"); // the leader is gone; a worker may not be
    return;
  }
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  signalGroup(child, "SIGTERM");
  let timer: NodeJS.Timeout | undefined;
  const graceful = await Promise.race([
    exited.then(() => true),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), 5_000);
    }),
  ]);
  clearTimeout(timer); // a pending timer would hold the test process open for the whole grace period
  if (!graceful) {
    signalGroup(child, "SIGKILL");
    await exited;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // ESRCH: the group has already gone.
  }
}
