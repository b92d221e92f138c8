/**
 * Starts throwaway redis-server processes on free loopback ports for the
 * cluster and fault-injection tests: no persistence, a temp dir each, and a
 * `stop()` that kills the process and removes the dir.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface RedisServer {
  readonly port: number;
  /** SIGSTOP: the socket stays open but nothing answers, like a hung server. */
  pause(): void;
  resume(): void;
  /** SIGKILL, keeping the port and dir so `restart()` can bring it back. */
  kill(): Promise<void>;
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Why the binaries are missing, or undefined when redis-server and redis-cli are installed. */
export function missingRedisBinaries(): string | undefined {
  for (const binary of ["redis-server", "redis-cli"]) {
    if (spawnSync(binary, ["--version"]).status !== 0) return `${binary} is not installed (apt-get install redis-server)`;
  }
  return undefined;
}

export async function startRedisServer(options: { cluster?: boolean } = {}): Promise<RedisServer> {
  for (let attempt = 0; attempt < 8; attempt++) {
    const port = await freePort();
    if (port === undefined) continue;
    const dir = mkdtempSync(join(tmpdir(), "parapet-redis-"));
    const args = [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--protected-mode",
      "no",
    ];
    if (options.cluster) args.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000");
    let child = launch(args);
    if (await waitForPing(port, child)) {
      return {
        port,
        pause: () => child.kill("SIGSTOP"),
        resume: () => child.kill("SIGCONT"),
        kill: () => terminate(child),
        restart: async () => {
          child = launch(args);
          if (!(await waitForPing(port, child))) throw new Error(`redis-server did not come back on port ${port}`);
        },
        stop: async () => {
          child.kill("SIGCONT");
          await terminate(child);
          rmSync(dir, { recursive: true, force: true });
        },
      };
    }
    await terminate(child);
    rmSync(dir, { recursive: true, force: true });
  }
  throw new Error("could not start redis-server on a free loopback port after 8 attempts");
}

export interface RedisCluster {
  readonly ports: readonly number[];
  stop(): Promise<void>;
}

/** Three masters, no replicas, slots spread by `redis-cli --cluster create`. */
export async function startRedisCluster(): Promise<RedisCluster> {
  const servers: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) servers.push(await startRedisServer({ cluster: true }));
    const nodes = servers.map((server) => `127.0.0.1:${server.port}`);
    await run("redis-cli", ["--cluster", "create", ...nodes, "--cluster-replicas", "0", "--cluster-yes"], { timeout: 20_000 });
    for (const server of servers) await waitForClusterOk(server.port);
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return {
    ports: servers.map((server) => server.port),
    stop: async () => {
      await Promise.all(servers.map((server) => server.stop()));
    },
  };
}

function launch(args: readonly string[]): ChildProcess {
  const child = spawn("redis-server", args, { stdio: "ignore" });
  child.on("error", () => undefined);
  return child;
}

function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** A random high port whose cluster bus port (port + 10000) is free too. */
async function freePort(): Promise<number | undefined> {
  const port = 20_000 + Math.floor(Math.random() * 30_000);
  return (await canListen(port)) && (await canListen(port + 10_000)) ? port : undefined;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });
}

async function waitForPing(port: number, child: ChildProcess): Promise<boolean> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) return false;
    if (await ping(port)) return true;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return false;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("error", () => done(false));
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (data) => done(data.toString().startsWith("+PONG")));
  });
}

async function waitForClusterOk(port: number): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const { stdout } = await run("redis-cli", ["-p", String(port), "cluster", "info"]);
    if (stdout.includes("cluster_state:ok")) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Redis Cluster node ${port} did not reach cluster_state:ok within 15 s`);
}
