import { parseArgs } from "node:util";
import { messageOf } from "@parapet/core";
import type { SqlDriver } from "@parapet/observe";
import { isLoopback, startDashboard } from "./dashboard.js";
import { checkDecisionLog, openLog } from "./open-log.js";

/**
 * `parapet dashboard`: serve the UI over an existing decision log, from a
 * separate process (the live tail polls the log). Runs until SIGINT/SIGTERM.
 */
const USAGE = `usage: parapet dashboard [--db .parapet/decisions.db | --postgres <url> [--schema public]]
                         [--port 3001] [--host 127.0.0.1] [--token <token>] [--allow-remote]

  --db <file>        the SQLite decision log (default .parapet/decisions.db)
  --postgres <url>   a PostgreSQL decision log instead, e.g. postgres://postgres@127.0.0.1:5432/test
  --schema <name>    the PostgreSQL schema the app logs into (default public)
  --port <n>         default 3001 (0 picks a free port)
  --host <addr>      default 127.0.0.1; a non-loopback address also needs --allow-remote
  --token <token>    default: random, printed below (or set PARAPET_DASHBOARD_TOKEN, which stays out of \`ps\`)
`;

export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the dashboard should stop (SIGINT/SIGTERM by default). */
  readonly stopped: Promise<unknown>;
}

export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  let values: ReturnType<typeof parse>["values"];
  try {
    values = parse(argv).values;
  } catch (error) {
    io.stderr.write(`parapet dashboard: ${messageOf(error)}\n\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    io.stdout.write(USAGE);
    return 0;
  }
  if (values.db !== undefined && values.postgres !== undefined) {
    io.stderr.write("parapet dashboard: pass --db or --postgres, not both\n");
    return 2;
  }
  if (values.schema !== undefined && values.postgres === undefined) {
    io.stderr.write("parapet dashboard: --schema names a PostgreSQL schema; pass it with --postgres <url>\n");
    return 2;
  }
  const port = values.port === undefined ? 3001 : Number(values.port);
  if (!/^\d{1,5}$/.test(values.port ?? "0") || port > 65_535) {
    io.stderr.write(`parapet dashboard: --port must be a number from 0 to 65535, not "${values.port}"\n`);
    return 2;
  }
  // Checked here, not left to startDashboard(), so the message names this command's flag rather than its option.
  if (values.host !== undefined && !isLoopback(values.host) && values["allow-remote"] !== true) {
    io.stderr.write(
      `parapet dashboard: --host ${values.host} is not loopback; the dashboard shows client data, so add --allow-remote only behind TLS\n`,
    );
    return 2;
  }

  let log: SqlDriver | undefined;
  try {
    log = openLog(values);
    const warning = await checkDecisionLog(log, values);
    if (warning !== undefined) io.stderr.write(`parapet dashboard: ${warning}\n`);
  } catch (error) {
    await log?.close().catch(() => {});
    io.stderr.write(`parapet dashboard: cannot open the decision log: ${messageOf(error)}\n`);
    return 1;
  }
  try {
    const token = values.token ?? io.env.PARAPET_DASHBOARD_TOKEN;
    const dashboard = await startDashboard({
      log,
      port,
      ...(values.host !== undefined ? { host: values.host } : {}),
      ...(token !== undefined && token !== "" ? { token } : {}),
      allowRemote: values["allow-remote"] === true,
    });
    io.stdout.write(`parapet dashboard: reading ${log.description}\nparapet dashboard: open ${dashboard.loginUrl}\n`);
    await io.stopped;
    await dashboard.close();
    return 0;
  } catch (error) {
    io.stderr.write(`parapet dashboard: ${messageOf(error)}\n`);
    return 1;
  } finally {
    await log.close().catch(() => {});
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      db: { type: "string" },
      postgres: { type: "string" },
      schema: { type: "string" },
      port: { type: "string" },
      host: { type: "string" },
      token: { type: "string" },
      "allow-remote": { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
}

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    stopped: new Promise((resolve) => {
      process.once("SIGINT", resolve);
      process.once("SIGTERM", resolve);
    }),
  };
}
