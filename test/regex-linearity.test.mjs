// Every regular expression Parapet ships must run in time linear in its input. One that backtracks
// super-linearly turns a single crafted value into seconds of CPU on the request thread (ReDoS): before this
// check, a 16 KB query value of newlines took the shield 800 ms, because of `[\r\n]\s*…`, and `constructor[`
// followed by spaces 150 ms.
//
// The analysis is scslre's (the one behind eslint-plugin-regexp's no-super-linear-backtracking): it finds
// inputs that repeat one character and make a regex backtrack polynomially between two quantifiers ("Trade",
// `\s*-?\s*x`), a quantifier with itself ("Self", `(a+)+`), or make the engine rescan the same run from every
// start position ("Move", `[\r\n]\s*x` on a run of newlines). It does not find attacks that repeat a longer
// string; packages/shield/test/adversarial-runs.test.ts feeds the detectors such inputs.
//
// Checked: every regex literal in the shipped sources (packages/*/src, examples/*/src, packages/*/static), and
// every RegExp the built packages construct while they load (the shield builds some from word lists).
// A regex that needs an exception should be rewritten instead: see docs/linear-regexes.md.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, it } from "node:test";
import { pathToFileURL } from "node:url";
import { analyse } from "scslre";
import ts from "typescript";
import { filesUnder, packageDirs } from "../scripts/repo-files.mjs";

const root = resolve(import.meta.dirname, "..");

/** Modules that do something when loaded (a CLI's main, a worker's entry): not imported here. */
const ENTRY_POINTS = new Set(["packages/cli/dist/src/main.js", "packages/observe/dist/src/worker/log-worker.js"]);

/** `Trade '\n'` and the like for each way `regex` can be made to backtrack or rescan; empty when it is linear. */
function superLinearities({ source, flags }) {
  const { reports } = analyse({ source, flags }, { reportTypes: { Move: true, Self: true, Trade: true } });
  return reports.map(
    (report) => `${report.type}${report.exponential ? " (exponential)" : ""} on a run of ${JSON.stringify(report.character.pick)}`,
  );
}

/** Every regex literal in `file`, with its line, read by the TypeScript parser (a regex over source text would miss some). */
function regexLiterals(file) {
  const text = readFileSync(file, "utf8");
  const sourceFile = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const literal = node.getText(sourceFile);
      const end = literal.lastIndexOf("/");
      found.push({
        source: literal.slice(1, end),
        flags: literal.slice(end + 1),
        line: sourceFile.getLineAndCharacterOfPosition(node.getStart(sourceFile)).line + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return found;
}

describe("the linearity check", () => {
  // The shapes that were quadratic in the shield: if the analysis stopped finding them, this check would pass anything.
  for (const [regex, kind] of [
    [/[\r\n]\s*(?:mail\s+from|rcpt\s+to)\s*:/, "Move"],
    [/^\s*-?\s*(?:set|import)\b/, "Trade"],
    [/constructor\s*\[\s*["']?\s*prototype/, "Trade"],
    [/^(a+)+$/, "Self"],
  ]) {
    it(`finds ${kind} in ${regex}`, () => {
      assert.ok(
        superLinearities(regex).some((found) => found.startsWith(kind)),
        `${regex}: ${superLinearities(regex).join("; ") || "nothing found"}`,
      );
    });
  }

  it("passes the rewritten forms of those shapes", () => {
    for (const regex of [/[\r\n][^\S\r\n]*(?:mail\s+from|rcpt\s+to)\s*:/, /^\s*(?:-\s*)?(?:set|import)\b/, /^a+$/]) {
      assert.deepEqual(superLinearities(regex), [], String(regex));
    }
  });
});

describe("every regex Parapet ships is linear", () => {
  it("regex literals in the sources", () => {
    const files = packageDirs(root).flatMap((dir) => [
      ...filesUnder(join(dir, "src"), (name) => name.endsWith(".ts") && !name.endsWith(".d.ts")),
      ...filesUnder(join(dir, "static"), (name) => name.endsWith(".js")),
    ]);
    assert.ok(files.length > 100, `expected the package sources, found ${files.length} files under ${root}`);
    let checked = 0;
    const failures = [];
    for (const file of files) {
      for (const literal of regexLiterals(file)) {
        checked++;
        const found = superLinearities(literal);
        if (found.length > 0)
          failures.push(`${relative(root, file)}:${literal.line} /${literal.source}/${literal.flags}: ${found.join("; ")}`);
      }
    }
    assert.ok(checked > 300, `expected hundreds of regex literals, found ${checked}`);
    assert.deepEqual(failures, [], `super-linear regexes:\n${failures.join("\n")}`);
  });

  it("RegExps the built packages construct while they load", async () => {
    const modules = packageDirs(root)
      .filter((dir) => dir.startsWith(join(root, "packages")))
      .flatMap((dir) => filesUnder(join(dir, "dist", "src"), (name) => name.endsWith(".js")))
      .filter((file) => !ENTRY_POINTS.has(relative(root, file)));
    assert.ok(modules.length > 100, "run `npm run build` first: the built packages are what this test loads");
    const Native = globalThis.RegExp;
    const constructed = [];
    // Records each `new RegExp(…)` (and `RegExp(…)`) made while the modules load, with the module that made it.
    const record = (made) => {
      constructed.push({ source: made.source, flags: made.flags, at: callerOutsideThisFile() });
      return made;
    };
    globalThis.RegExp = new Proxy(Native, {
      construct: (target, args, newTarget) => record(Reflect.construct(target, args, newTarget)),
      apply: (target, self, args) => record(Reflect.apply(target, self, args)),
    });
    try {
      for (const file of modules) await import(pathToFileURL(file).href);
    } finally {
      globalThis.RegExp = Native;
    }
    const ours = constructed.filter(({ at }) => at.includes(`${root}/packages/`) && !at.includes("node_modules"));
    assert.ok(ours.length > 5, `expected the shield's word-list regexes among ${constructed.length} constructed`);
    const failures = ours.flatMap((regex) => {
      const found = superLinearities(regex);
      return found.length > 0 ? [`${relative(root, regex.at)} /${regex.source.slice(0, 200)}/${regex.flags}: ${found.join("; ")}`] : [];
    });
    assert.deepEqual(failures, [], `super-linear regexes:\n${failures.join("\n")}`);
  });
});

/** The path:line of the code that constructed a RegExp: the first stack frame outside this test. */
function callerOutsideThisFile() {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  const self = import.meta.filename;
  const frame = frames.find((line) => !line.includes(self)) ?? "";
  const location = /\(?((?:file:\/\/)?\/[^()]+?:\d+):\d+\)?$/.exec(frame.trim());
  return location ? location[1].replace(/^file:\/\//, "") : frame.trim();
}
