import { artifactKey, type Finding } from "../model.js";
import { type Check, installedAt, uniqueBy } from "./context.js";

/** Lifecycle scripts npm runs on `npm install`, with the user's privileges and secrets. */
export const INSTALL_SCRIPTS = ["preinstall", "install", "postinstall"] as const;

/**
 * Check `install-script`: most npm malware runs from an install hook. A dependency
 * that needs one (native addons) should be allowed explicitly, with a reason.
 * The lockfile flag is used when no tarball was read; the tarball's manifest, when
 * read, also shows what the script runs.
 */
export function createInstallScriptCheck(): Check {
  return function checkInstallScripts({ packages, config, analyses }) {
    const findings: Finding[] = [];
    // One finding per artifact: the same tarball at five locations is one script to review.
    for (const pkg of uniqueBy(packages, artifactKey)) {
      const scripts = analyses?.get(artifactKey(pkg))?.installScripts;
      const hasScripts = scripts ? Object.keys(scripts).length > 0 : pkg.hasInstallScript === true;
      if (!hasScripts) continue;
      // Own keys only: a package named "constructor" must not find Object.prototype.constructor and pass as allowed.
      const reason = Object.hasOwn(config.allowInstallScripts, pkg.name) ? config.allowInstallScripts[pkg.name] : undefined;
      const shown = scripts
        ? Object.entries(scripts)
            .map(([hook, command]) => `${hook}: ${JSON.stringify(String(command).slice(0, 120))}`)
            .join("; ")
        : "flagged hasInstallScript in the lockfile";
      if (reason !== undefined) {
        findings.push({
          checkId: "install-script",
          severity: "info",
          packageName: pkg.name,
          version: pkg.version,
          message: `${installedAt(pkg)}runs an install script (${shown}); allowed by config: ${reason}`,
          location: pkg.location,
        });
        continue;
      }
      findings.push({
        checkId: "install-script",
        severity: "medium",
        packageName: pkg.name,
        version: pkg.version,
        message: `${installedAt(pkg)}runs an install script (${shown}) with your privileges on every install. Review it; if it is needed, add "${pkg.name}" to allowInstallScripts in .parapet-audit.json with a reason, and install with --ignore-scripts elsewhere.`,
        location: pkg.location,
      });
    }
    return findings;
  };
}
