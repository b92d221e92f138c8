import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The UI is a handful of files read once at start and served from memory.
 * Only names in this list are served, so no request path ever reaches the
 * file system (no traversal to worry about). Chart.js is served from
 * node_modules: the machine may be offline and the CSP forbids CDNs.
 */
export interface StaticFile {
  readonly type: string;
  readonly body: Buffer;
}

const STATIC_DIR = join(import.meta.dirname, "..", "..", "static");
const TYPES: Readonly<Record<string, string>> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
};
export const UI_FILES = [
  "index.html",
  "app.css",
  "app.js",
  "api.js",
  "dom.js",
  "format.js",
  "charts.js",
  "overview.js",
  "decisions.js",
  "alerts.js",
  "live.js",
  "favicon.svg",
];

export function loadStaticFiles(): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const name of UI_FILES) {
    const extension = name.slice(name.lastIndexOf(".") + 1);
    files.set(`/${name}`, { type: TYPES[extension] ?? "application/octet-stream", body: readFileSync(join(STATIC_DIR, name)) });
  }
  files.set("/", files.get("/index.html")!);
  // chart.js's exports map hides its UMD build; resolve the package entry and take the file beside it.
  const chartDir = dirname(createRequire(import.meta.url).resolve("chart.js"));
  files.set("/vendor/chart.umd.min.js", { type: TYPES.js!, body: readFileSync(join(chartDir, "chart.umd.min.js")) });
  return files;
}
