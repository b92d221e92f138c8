#!/usr/bin/env node
// Two structural rules from STYLE.md, checked on the TypeScript sources:
// 1. No runtime import cycles inside a package (they make load order fragile). `import type`
//    is erased by the compiler, so a type-only back-reference is not a cycle at run time.
// 2. The core imports no framework and no I/O: no node: built-ins, no third-party packages,
//    so it runs on Node, edge runtimes and in tests without a network or a disk.
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { filesUnder, packageDirs as packageDirsOf } from "./repo-files.mjs";

const root = resolve(import.meta.dirname, "..");
const IMPORT = /^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']|^\s*import\s+["']([^"']+)["']/gm;
const TYPE_ONLY = /^\s*(?:import|export)\s+type\s/;
const failures = [];

function sources(dir) {
  return filesUnder(dir, (name) => name.endsWith(".ts") && !name.endsWith(".d.ts"));
}

function importsOf(file) {
  const text = readFileSync(file, "utf8");
  const specifiers = [];
  for (const match of text.matchAll(IMPORT)) specifiers.push({ spec: match[1] ?? match[2], typeOnly: TYPE_ONLY.test(match[0]) });
  return specifiers;
}

const packageDirs = packageDirsOf(root);

for (const dir of packageDirs) {
  const files = sources(join(dir, "src"));
  const graph = new Map();
  for (const file of files) {
    const edges = [];
    for (const { spec, typeOnly } of importsOf(file)) {
      if (dir.endsWith(`${join("packages", "core")}`) && !spec.startsWith(".")) {
        failures.push(`${relative(root, file)} imports "${spec}": the core must not depend on frameworks, I/O or other packages`);
      }
      if (spec.startsWith(".") && !typeOnly) edges.push(resolve(dirname(file), spec.replace(/\.js$/, ".ts")));
    }
    graph.set(file, edges);
  }
  // Depth-first search with colours; a grey node reached again closes a cycle.
  const colour = new Map();
  const stack = [];
  const visit = (file) => {
    colour.set(file, "grey");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (colour.get(next) === "grey") {
        const cycle = stack
          .slice(stack.indexOf(next))
          .concat(next)
          .map((f) => relative(root, f));
        failures.push(`import cycle: ${cycle.join(" -> ")}`);
      } else if (!colour.has(next)) visit(next);
    }
    stack.pop();
    colour.set(file, "black");
  };
  for (const file of graph.keys()) if (!colour.has(file)) visit(file);
}

if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  process.exit(1);
}
console.log(`architecture: ${packageDirs.length} packages, no import cycles, core free of I/O and framework imports`);
