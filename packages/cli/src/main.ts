/**
 * `parapet` — one command, many tools. Each subcommand lives in its own
 * package and exposes `run(argv): Promise<exitCode>` from its `./cli` export;
 * they are imported only when used, so `parapet audit` never loads the shield.
 */

import { readFileSync } from "node:fs";
import { handleOutputErrors } from "./output-errors.js";

interface CliModule {
  run(argv: readonly string[]): Promise<number>;
}

const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<CliModule> }>> = {
  audit: { summary: "audit [dir]            find package hijacking in a project's dependencies", load: () => import("@parapet/audit/cli") },
  "eval shield": { summary: "eval shield <corpus>   score the shield on a labeled corpus", load: () => import("@parapet/shield/cli") },
  "eval bots": { summary: "eval bots <corpus>     score bot detection against isbot", load: () => import("@parapet/bots/cli") },
  "bots refresh-ranges": {
    summary: "bots refresh-ranges    refresh the crawler IP range snapshot from the operators",
    load: () => import("@parapet/bots/refresh-ranges"),
  },
  dashboard: { summary: "dashboard              serve the local dashboard on 127.0.0.1", load: () => import("@parapet/dashboard/cli") },
};

/** The usage of every command, or of one group's (`parapet eval --help`). */
function usage(group?: string): string {
  const names = Object.keys(COMMANDS).filter((name) => group === undefined || name.startsWith(`${group} `));
  const title = group === undefined ? "usage: parapet <command> [options]" : `usage: parapet ${group} <command> [options]`;
  const lines = names.map((name) => `  parapet ${COMMANDS[name]?.summary}`);
  return [title, "", "commands:", ...lines, "", "Run `parapet <command> --help` for a command's options.", ""].join("\n");
}

/** Read at run time from the package itself, so the number printed is the one installed. */
function version(): string {
  const manifest = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return manifest.version;
}

const isHelp = (arg: string | undefined) => arg === "--help" || arg === "-h" || arg === "help";
const isGroup = (word: string) => Object.keys(COMMANDS).some((name) => name.startsWith(`${word} `));

async function main(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || isHelp(first)) {
    if (first === undefined) process.stderr.write(usage());
    else process.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  if (first === "--version" || first === "-v" || first === "version") {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const two = `${first} ${second ?? ""}`.trim();
  const name = COMMANDS[two] ? two : first;
  const command = COMMANDS[name];
  if (!command) {
    if (isGroup(first) && (second === undefined || isHelp(second))) {
      if (second === undefined) process.stderr.write(`parapet ${first}: name one of its commands.\n\n${usage(first)}`);
      else process.stdout.write(usage(first));
      return second === undefined ? 2 : 0;
    }
    if (first.startsWith("-")) process.stderr.write(`parapet: unknown option ${first}. Run \`parapet --help\` to see the commands.\n`);
    else process.stderr.write(`parapet: unknown command "${two}"\n\n${usage()}`);
    return 2;
  }
  const rest = argv.slice(name.split(" ").length);
  const module = await command.load();
  return module.run(rest);
}

handleOutputErrors(process.stdout);
handleOutputErrors(process.stderr);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug (or a broken install), not a user error: say so plainly, without a stack trace unless asked. Exit 2, "the
    // run could not do its job": 1 means findings to CI, and every command returns its own 1; none throws for one.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(
      `parapet: unexpected error: ${message}. This is a bug in parapet, or a broken install (reinstall it if a package is missing); please report it with the command you ran (PARAPET_DEBUG=1 prints the stack trace).\n`,
    );
    if (process.env.PARAPET_DEBUG) console.error(error);
    process.exitCode = 2;
  },
);
