import type { EvalResult } from "./evaluate.js";

/** The classes the shield is held to, with the detection rate each must reach on dev data. */
export const GOALS: Readonly<Record<string, number>> = {
  sqli: 0.999,
  xss: 0.997,
  traversal: 0.95,
  cmdi: 0.9,
  ssrf: 0.95,
  jndi: 0.95,
  "proto-pollution": 0.95,
  nosqli: 0.95,
  ssti: 0.95,
};
export const MAX_FALSE_POSITIVE_RATE = 0.001;

function percent(part: number, whole: number): string {
  return whole === 0 ? "-" : `${((100 * part) / whole).toFixed(2)}%`;
}

/** The human table: goal classes first, then the classes outside the goals, then benign traffic. */
export function formatTable(result: EvalResult): string {
  const rows: string[][] = [["class", "total", "detected", "rate", "goal", "same class", "query", "form", "json"]];
  const row = (name: string, goal: string) => {
    const c = result.classes[name];
    if (!c) return;
    rows.push([
      name,
      String(c.total),
      String(c.detected),
      percent(c.detected, c.total),
      goal,
      percent(c.sameClass, c.total),
      c.places.query === undefined ? "" : String(c.places.query),
      c.places.form === undefined ? "" : String(c.places.form),
      c.places.json === undefined ? "" : String(c.places.json),
    ]);
    // A class drawn from several sources gets a line per source (see ClassScore.bySource).
    const sources = Object.entries(c.bySource);
    if (sources.length < 2) return;
    for (const [source, s] of sources) rows.push([`  ${source}`, String(s.total), String(s.detected), percent(s.detected, s.total)]);
  };
  for (const [name, goal] of Object.entries(GOALS)) row(name, `>= ${(goal * 100).toFixed(1)}%`);
  const others = Object.keys(result.classes)
    .filter((name) => !(name in GOALS))
    .sort();
  if (others.length > 0) rows.push(["-- outside the goals --"]);
  for (const name of others) row(name, "");
  const attacks = Object.values(result.classes).reduce((sum, c) => ({ total: sum.total + c.total, detected: sum.detected + c.detected }), {
    total: 0,
    detected: 0,
  });
  rows.push(["-- totals --"]);
  rows.push(["attacks", String(attacks.total), String(attacks.detected), percent(attacks.detected, attacks.total)]);
  rows.push([
    "benign (flagged)",
    String(result.benign.total),
    String(result.benign.flagged),
    percent(result.benign.flagged, result.benign.total),
    `<= ${MAX_FALSE_POSITIVE_RATE * 100}%`,
  ]);
  for (const [source, s] of Object.entries(result.benign.bySource))
    rows.push([`  ${source}`, String(s.total), String(s.flagged), percent(s.flagged, s.total)]);
  const widths = rows.reduce<number[]>((w, r) => r.map((cell, i) => Math.max(w[i] ?? 0, r.length === 1 ? 0 : cell.length)), []);
  const lines = rows.map((r) =>
    r.length === 1
      ? (r[0] as string)
      : r
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join("  ")
          .trimEnd(),
  );
  lines.push(
    "",
    `sensitivity ${result.sensitivity}; ${result.invalid} invalid line(s); ${(result.durationMs / 1000).toFixed(1)} s.`,
    "'detected' counts a case denied by the shield in any place it was tried; 'same class' also requires the right class.",
  );
  return `${lines.join("\n")}\n`;
}

/** The JSON shape documented for `--json`: classes → {total, detected}, benign → {total, flagged}, plus extras. */
export function toJson(result: EvalResult): object {
  return {
    classes: result.classes,
    benign: result.benign,
    goals: GOALS,
    invalid: result.invalid,
    sensitivity: result.sensitivity,
    durationMs: Math.round(result.durationMs),
  };
}
