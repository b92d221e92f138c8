// Walking the repository, shared by the scripts and the repository-wide tests (test/).
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/** Every file under `dir` (recursively) whose name `accept` takes; none when `dir` does not exist. */
export function filesUnder(dir, accept, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) filesUnder(path, accept, out);
    else if (accept(name)) out.push(path);
  }
  return out;
}

/** The workspace packages and examples of the repository at `root`, as absolute directories. */
export function packageDirs(root) {
  return ["packages", "examples"].flatMap((top) =>
    existsSync(join(root, top)) ? readdirSync(join(root, top)).map((name) => join(root, top, name)) : [],
  );
}
