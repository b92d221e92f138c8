import type { SourceKind } from "../model.js";

/**
 * Classifies a resolved spec/URL. A registry tarball URL looks like
 * `https://host/<name>/-/<file>.tgz`; anything else that is a URL is a direct
 * tarball dependency, which bypasses the registry's immutability guarantees.
 */
export function classifyResolved(resolved: string | undefined): SourceKind {
  if (resolved === undefined || resolved === "") return "registry";
  if (/^(git\+|git:|github:|gitlab:|bitbucket:)/.test(resolved) || /\.git(#|$)/.test(resolved)) return "git";
  if (resolved.startsWith("file:")) return "file";
  if (resolved.startsWith("link:")) return "link";
  if (resolved.startsWith("workspace:")) return "workspace";
  if (/^https?:\/\//.test(resolved)) return /\/-\/[^/]+\.tgz(\?.*)?$/.test(resolved) ? "registry" : "tarball-url";
  return "registry";
}
