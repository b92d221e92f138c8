/**
 * `parapet` — one command, many tools. Each subcommand lives in its own
 * package and exposes `run(argv): Promise<exitCode>` from its `./cli` export;
 * they are imported only when used, so `parapet audit` never loads the shield.
 */

import { ignoreClosedPipe } from "./closed-pipe.js";

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

function usage(): string {
  return ["usage: parapet <command> [options]", "", "commands:", ...Object.values(COMMANDS).map((c) => `  parapet ${c.summary}`), ""].join(
    "\n",
  );
}

async function main(argv: readonly string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(usage());
    return first === undefined ? 2 : 0;
  }
  const two = `${first} ${second ?? ""}`.trim();
  const name = COMMANDS[two] ? two : first;
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`parapet: unknown command "${two}"\n\n${usage()}`);
    return 2;
  }
  const rest = argv.slice(name.split(" ").length);
  const module = await command.load();
  return module.run(rest);
}

ignoreClosedPipe(process.stdout);
ignoreClosedPipe(process.stderr);
main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // A bug, not a user error: say so plainly, without a stack trace unless asked.
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`parapet: ${message}\n`);
    if (process.env.PARAPET_DEBUG) console.error(error);
    process.exitCode = 1;
  },
);
