import assert from "node:assert/strict";
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, test } from "node:test";
import { migrate, sqliteLog } from "@parapet/observe";
import { run } from "../src/cli.js";
import { bearer, get } from "./client.js";
import { cliIo as io, tempDir } from "./helpers.js";

const dir = tempDir();
after(() => dir.remove());

test("--help prints usage and exits 0", async () => {
  const t = io();
  assert.equal(await run(["--help"], t.io), 0);
  assert.match(t.out.join(""), /--postgres/);
});

test("bad arguments exit 2 with a message", async () => {
  for (const argv of [
    ["--port", "http"],
    ["--port", "99999"],
    ["--frobnicate"],
    ["--db", "a.db", "--postgres", "postgres://x"],
    ["--db", "a.db", "--schema", "public"],
    ["stray"],
  ]) {
    const t = io();
    assert.equal(await run(argv, t.io), 2, argv.join(" "));
    assert.match(t.err.join(""), /parapet dashboard:/);
  }
});

test("a missing database file is an error, not a new empty log", async () => {
  const t = io();
  const missing = join(dir.path, "nope", "decisions.db");
  assert.equal(await run(["--db", missing], t.io), 1);
  assert.match(t.err.join(""), /no file at .*run the app with observe\(\) first/);
});

test("an empty file is not made into a decision log: the dashboard says so and leaves it empty", async () => {
  const path = join(dir.path, "touched.db");
  writeFileSync(path, "");
  const t = io();
  assert.equal(await run(["--db", path, "--port", "0"], t.io), 1);
  assert.match(
    t.err.join(""),
    /no Parapet decision log in .*touched\.db: the file has no parapet_migrations table\. Check --db .*observe\(\)/,
  );
  assert.equal(statSync(path).size, 0, "the dashboard created tables in it");
});

test("another program's SQLite database gets no Parapet tables", async () => {
  const path = join(dir.path, "other-app.db");
  const db = sqliteLog({ path });
  await db.exec("CREATE TABLE orders (id INTEGER); INSERT INTO orders VALUES (1);");
  await db.close();
  const before = readFileSync(path);
  const t = io();
  assert.equal(await run(["--db", path, "--port", "0"], t.io), 1);
  assert.match(t.err.join(""), /no Parapet decision log in .*other-app\.db/);
  assert.deepEqual(readFileSync(path), before, "the file is unchanged");
});

test("a log older than the dashboard is read as it is, with a warning, not migrated", async () => {
  const path = join(dir.path, "older.db");
  const writer = sqliteLog({ path });
  await migrate(writer);
  const [latest] = await writer.all<{ version: number }>("SELECT MAX(version) AS version FROM parapet_migrations");
  await writer.transaction([{ sql: "DELETE FROM parapet_migrations WHERE version = ?", params: [latest!.version] }]);
  await writer.close();
  const t = io();
  assert.equal(await run(["--db", path, "--port", "0"], t.io), 0);
  assert.match(t.err.join(""), new RegExp(`schema version ${latest!.version - 1} .*does not migrate`));
  const reader = sqliteLog({ path, readOnly: true });
  const [still] = await reader.all<{ version: number }>("SELECT MAX(version) AS version FROM parapet_migrations");
  await reader.close();
  assert.equal(still!.version, latest!.version - 1, "the dashboard migrated the log");
});

test("a non-loopback host needs --allow-remote", async () => {
  const path = join(dir.path, "remote.db");
  const log = sqliteLog({ path });
  await migrate(log);
  await log.close();
  const t = io();
  assert.equal(await run(["--db", path, "--host", "0.0.0.0", "--port", "0"], t.io), 2);
  // The flag this command takes, not the library option behind it.
  assert.match(t.err.join(""), /--host 0\.0\.0\.0 is not loopback; .*add --allow-remote/);
  assert.doesNotMatch(t.err.join(""), /allowRemote/);
});

test("a file that is not a decision log names --db, not the library's `path`", async () => {
  const path = join(dir.path, "corrupt.db");
  writeFileSync(path, "this is not a sqlite database ".repeat(40));
  const t = io();
  assert.equal(await run(["--db", path], t.io), 1);
  assert.match(
    t.err.join(""),
    /corrupt\.db is not a readable decision log \(file is not a database\); pass --db with the file observe\(\) writes/,
  );
  assert.doesNotMatch(t.err.join(""), /`path`/);
});

test("serves the log, prints the login URL, and stops on the signal", async () => {
  const path = join(dir.path, "served.db");
  const log = sqliteLog({ path });
  await migrate(log);
  await log.close();
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const t = io(stopped);
  const exit = run(["--db", path, "--port", "0", "--token", "cli-test-token-0123456789"], t.io);
  for (let i = 0; i < 100 && !t.out.join("").includes("open http"); i++) await new Promise((r) => setTimeout(r, 20));
  const url = /open (http:\/\/127\.0\.0\.1:\d+\/)\?token=cli-test-token-0123456789/.exec(t.out.join(""))?.[1];
  assert.ok(url, `the login URL is printed: ${t.out.join("")}`);
  assert.equal((await get(`${url}api/overview`, bearer("cli-test-token-0123456789"))).status, 200);
  assert.equal((await get(`${url}api/overview`)).status, 401);
  stop();
  assert.equal(await exit, 0);
});
