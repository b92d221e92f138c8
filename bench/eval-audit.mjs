// False-alarm evaluation: audits the latest tarball of the top N npm-high-impact
// packages (default 1000; PARAPET_EVAL_N to change) through the content-addressed
// cache, so a rerun resumes where it stopped. Prints counts per severity and the
// worst offenders with their reasons. Network: registry.npmjs.org only.
import { createTarballCache, scanTarballs } from "@parapet/audit";
import { npmHighImpact } from "npm-high-impact";

const N = Number(process.env.PARAPET_EVAL_N ?? 1000);
const registry = "https://registry.npmjs.org/";
const cache = createTarballCache();
const names = npmHighImpact.slice(0, N);
const started = performance.now();

async function latest(name) {
  const key = `latest:${name}`;
  const cached = cache.getJson("eval-latest", key);
  if (cached && Date.now() - cached.at < 7 * 86400_000) return cached.pkg;
  const res = await fetch(`${registry}${name.replace("/", "%2f")}`, {
    headers: { accept: "application/vnd.npm.install-v1+json" },
    signal: AbortSignal.timeout(30_000),
  });
  if (!res.ok) return undefined;
  const doc = await res.json();
  const version = doc["dist-tags"]?.latest;
  const dist = doc.versions?.[version]?.dist;
  if (!version || !dist?.integrity) return undefined;
  const pkg = { name, version, source: "registry", integrity: dist.integrity, location: { file: "eval" } };
  cache.putJson("eval-latest", key, { at: Date.now(), pkg });
  return pkg;
}

const packages = [];
for (let i = 0; i < names.length; i += 16) {
  const batch = await Promise.all(names.slice(i, i + 16).map((n) => latest(n).catch(() => undefined)));
  packages.push(...batch.filter(Boolean));
}
let last = 0;
const { analyses, findings } = await scanTarballs(packages, {
  registry,
  cache,
  concurrency: 8,
  onProgress: (done, total) => {
    if (done - last >= 100 || done === total) {
      last = done;
      process.stderr.write(`${done}/${total}\n`);
    }
  },
});
const counts = { critical: 0, high: 0, medium: 0, low: 0, none: 0 };
const offenders = [];
for (const pkg of packages) {
  const verdict = analyses.get(`${pkg.name}@${pkg.version}`)?.verdict;
  counts[verdict?.severity ?? "none"]++;
  if (verdict && (verdict.severity === "high" || verdict.severity === "critical"))
    offenders.push(`${verdict.severity} ${pkg.name}@${pkg.version}: ${verdict.reasons.join("; ").slice(0, 300)}`);
}
const flagged = counts.critical + counts.high;
console.log(
  `audited ${packages.length} of top ${N} (${findings.length} fetch/read problems) in ${((performance.now() - started) / 1000).toFixed(1)} s`,
);
console.log(counts);
console.log(`high or critical: ${flagged} (${((100 * flagged) / Math.max(1, packages.length)).toFixed(2)}%, goal <= 1%)`);
for (const line of offenders.slice(0, 25)) console.log(`  ${line}`);

// Speed: a synthetic package-lock (v3, no `resolved`, as npm writes it against the default
// registry) of the first 1,500 ranked packages' latest versions, audited twice through the
// public API: cold (empty temp cache: every tarball and packument fetched) and warm.
// PARAPET_EVAL_SPEED=0 skips it.
if (process.env.PARAPET_EVAL_SPEED !== "0") {
  const { mkdtempSync, rmSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { join } = await import("node:path");
  const { audit } = await import("@parapet/audit");
  const speedNames = npmHighImpact.slice(0, 1500);
  const speedPackages = [];
  for (let i = 0; i < speedNames.length; i += 16) {
    const batch = await Promise.all(speedNames.slice(i, i + 16).map((n) => latest(n).catch(() => undefined)));
    speedPackages.push(...batch.filter(Boolean));
  }
  const dir = mkdtempSync(join(tmpdir(), "parapet-audit-speed-"));
  try {
    const entries = { "": { name: "speed-fixture", version: "1.0.0" } };
    for (const p of speedPackages) entries[`node_modules/${p.name}`] = { version: p.version, integrity: p.integrity };
    writeFileSync(
      join(dir, "package-lock.json"),
      JSON.stringify({ name: "speed-fixture", lockfileVersion: 3, packages: entries }, null, 2),
    );
    const speedCache = createTarballCache(join(dir, "cache"));
    for (const label of ["cold", "warm"]) {
      const t0 = performance.now();
      const report = await audit({ dir, registry, cache: speedCache, concurrency: 16 });
      const bySeverity = {};
      for (const f of report.findings) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
      console.log(`speed ${label}: ${report.packages} packages in ${((performance.now() - t0) / 1000).toFixed(1)} s`, bySeverity);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
