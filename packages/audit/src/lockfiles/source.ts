import type { SourceKind } from "../model.js";

/**
 * Classifies a resolved spec/URL. A registry tarball URL looks like
 * `https://host/<name>/-/<file>.tgz`; anything else that is a URL is a direct
 * tarball dependency, which bypasses the registry's immutability guarantees.
 */
export function classifyResolved(resolved: string | undefined): SourceKind {
  if (resolved === undefined || resolved === "") return "registry";
  if (/^(git\+|git:|ssh:|github:|gitlab:|bitbucket:)/.test(resolved) || /\.git(#|$)/.test(resolved)) return "git";
  if (resolved.startsWith("file:")) return "file";
  if (resolved.startsWith("link:")) return "link";
  if (resolved.startsWith("workspace:")) return "workspace";
  if (resolved.startsWith("exec:")) return "exec";
  if (/^https?:\/\//.test(resolved)) return /\/-\/[^/]+\.tgz(\?.*)?$/.test(resolved) ? "registry" : "tarball-url";
  // Any other `protocol:` (yarn berry's plugins add their own) is not the registry: calling it one would
  // fetch and vouch for the npm package of that name while the lockfile installs something else.
  if (/^[a-z][a-z0-9+.-]*:/i.test(resolved)) return "unknown";
  return "registry";
}

/**
 * An npm alias spec, `npm:<name>@<range>` (scoped: `npm:@types/node@20.0.0`): the
 * dependency's folder is named after the alias, but the package installed, and so
 * every check, is `<name>`.
 */
export function aliasTarget(spec: string): { name: string; range?: string } | undefined {
  if (!spec.startsWith("npm:")) return undefined;
  const target = spec.slice("npm:".length);
  const at = target.indexOf("@", 1);
  if (at === -1) return target === "" ? undefined : { name: target };
  return { name: target.slice(0, at), range: target.slice(at + 1) };
}
