import { type Severity, severityRank } from "../model.js";
import type { Signal, Verdict } from "./analyze.js";
import { type SignalId, STRONG_INTENTS } from "./signals.js";

/**
 * Turns signals into a severity by judging capability and intent together.
 * A network client alone is nothing; reading ~/.npmrc alone is a config loader;
 * reading ~/.npmrc and sending data out *from the same file* is an exfiltrator.
 */
export function judge(
  signals: readonly Signal[],
  unsafePaths: readonly string[],
  conflictingManifests: readonly string[] = [],
): Verdict | undefined {
  let severity: Severity | undefined;
  const reasons: string[] = [];
  const raise = (to: Severity, reason: string) => {
    if (severity === undefined || severityRank(to) > severityRank(severity)) severity = to;
    reasons.push(reason);
  };
  const byFile = new Map<string, Set<SignalId>>();
  for (const s of signals) {
    const set = byFile.get(s.file) ?? new Set<SignalId>();
    set.add(s.id);
    byFile.set(s.file, set);
  }
  const atInstall = (id: SignalId) => signals.some((s) => s.id === id && s.atInstall);
  const where = (id: SignalId) => signals.find((s) => s.id === id)?.file ?? "?";

  const strong = [...new Set(signals.filter((s) => STRONG_INTENTS.has(s.id)).map((s) => s.id))];
  const strongAtInstall = strong.some(atInstall);
  if (strong.length > 0) {
    raise(strong.length >= 2 || strongAtInstall ? "critical" : "high", `${strong.join(", ")} (${strong.map(where).join(", ")})`);
  }
  for (const [file, ids] of byFile) {
    const harvest = ids.has("env-dump") || ids.has("credential-files") || ids.has("wallet-files");
    const sink = ids.has("network") || ids.has("exec");
    const hidden = ids.has("mangled-identifiers") || ids.has("eval-decoded");
    if (harvest && sink) {
      const installTime = signals.some((s) => s.file === file && s.atInstall);
      raise(
        installTime || hidden ? "critical" : "high",
        `${file} collects secrets (${[...ids].filter((i) => i === "env-dump" || i.endsWith("files")).join(", ")}) and has a network or process sink`,
      );
    }
    if (hidden && (sink || harvest || ids.has("wallet-hook")))
      raise(
        "critical",
        `${file} is obfuscated (${ids.has("eval-decoded") ? "runs decoded or assembled strings" : "_0x identifier mangling"}) and reaches the network, processes or secrets`,
      );
    else if (hidden) raise("medium", `${file} is obfuscated`);
    if (ids.has("appended-payload")) {
      raise(
        ids.has("decrypt-and-run") || ids.has("eval-decoded") || ids.has("encoded-blob") ? "critical" : "low",
        `${file} has a long line appended after ordinary code`,
      );
    }
    if (ids.has("encoded-blob") && (ids.has("eval-decoded") || ids.has("exec"))) raise("high", `${file} decodes and runs an embedded blob`);
    // Appending to ~/.bashrc is how CLIs install shell completion (yargs documents it);
    // it is persistence only next to a download, a harvest or a network sink.
    if (ids.has("shell-rc-tamper")) {
      const persistence = harvest || ids.has("download-and-run") || ids.has("network") || hidden;
      raise(
        persistence ? "high" : "low",
        `${file} appends to a shell startup file${persistence ? " and also downloads, collects secrets or hides its code" : " (shell completion does this; check what it writes)"}`,
      );
    }
  }
  if (atInstall("download-and-run")) {
    const aggravated = atInstall("raw-ip-url") || strong.length > 0;
    // A native-binary installer downloads a file it can check; piping into a shell runs code that is in no tarball.
    const piped = atInstall("pipe-to-shell");
    raise(
      aggravated ? "critical" : piped ? "high" : "medium",
      aggravated
        ? "install script downloads and runs a program from a raw IP address or alongside other malicious traits"
        : piped
          ? "install script pipes a download into a shell: the code it runs is not in the package and can change at any time"
          : "install script downloads and runs a program (common for native binaries; review the source URL)",
    );
  } else if (atInstall("raw-ip-url") && (atInstall("network") || atInstall("exec"))) {
    raise("high", "install script contacts a raw IP address");
  }
  if (unsafePaths.length > 0) raise("high", `archive entries escape the package folder (${unsafePaths.slice(0, 3).join(", ")})`);
  if (conflictingManifests.length > 0)
    raise(
      "high",
      `the archive holds package.json copies that differ (${conflictingManifests.slice(0, 3).join(", ")}): which one npm installs depends on their order and on the disk's case sensitivity`,
    );
  return severity === undefined ? undefined : { severity, reasons };
}
