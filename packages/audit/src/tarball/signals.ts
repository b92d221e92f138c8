/**
 * What the analyzer looks for in a file. Each signal is either a capability
 * (the code *can* reach the network, run programs, read secrets) or an intent
 * (it serializes the whole environment, hides its code, writes CI workflows).
 * Capabilities alone are normal — an HTTP client has a network sink — so the
 * verdict (see verdict.ts) only escalates when capability and intent meet.
 *
 * Every pattern is a plain alternation or bounded repetition: linear time, so a
 * hostile 2 MB file cannot stall the audit.
 */

export type SignalId =
  | "network"
  | "exec"
  | "env-dump"
  | "credential-files"
  | "wallet-files"
  | "wallet-hook"
  | "mangled-identifiers"
  | "eval-decoded"
  | "encoded-blob"
  | "appended-payload"
  | "decrypt-and-run"
  | "download-and-run"
  | "pipe-to-shell"
  | "raw-ip-url"
  | "cryptominer"
  | "windows-lolbin"
  | "workflow-write"
  | "self-publish"
  | "secret-scanner"
  | "ai-cli-abuse"
  | "shell-rc-tamper";

export type SignalKind = "capability" | "intent" | "obfuscation";

interface SignalRule {
  readonly id: SignalId;
  readonly kind: SignalKind;
  readonly test: (text: string) => string | undefined;
}

function firstMatch(...patterns: RegExp[]): (text: string) => string | undefined {
  return (text) => {
    for (const pattern of patterns) {
      const match = pattern.exec(text);
      if (match) return match[0].slice(0, 80);
    }
    return undefined;
  };
}

function allOf(...patterns: RegExp[]): (text: string) => string | undefined {
  return (text) => {
    const found: string[] = [];
    for (const pattern of patterns) {
      const match = pattern.exec(text);
      if (!match) return undefined;
      found.push(match[0].slice(0, 40));
    }
    return found.join(" + ");
  };
}

function countAtLeast(pattern: RegExp, min: number): (text: string) => string | undefined {
  return (text) => {
    let count = 0;
    for (const _ of text.matchAll(pattern)) if (++count >= min) return `${min}+ × ${pattern.source}`;
    return undefined;
  };
}

export const SIGNAL_RULES: readonly SignalRule[] = [
  {
    id: "network",
    kind: "capability",
    test: firstMatch(
      /\b(?:https?|net|tls|dgram)\.(?:request|get|connect|createConnection)\s*\(/,
      /require\(\s*["'](?:node:)?https?["']\s*\)\s*\.(?:request|get)\b/,
      /\bfetch\s*\(\s*["'`]https?:/,
      /\bnew XMLHttpRequest\b/,
      /\bnew WebSocket\s*\(/,
      /\baxios\.(?:post|get)\s*\(/,
      /\bcurl\s+-/,
      /\bwget\s+/,
    ),
  },
  // `regex.exec(` is not a process: require the module, or a call not preceded by a dot.
  {
    id: "exec",
    kind: "capability",
    test: firstMatch(
      /(?:require\(|from)\s*["'](?:node:)?child_process["']/,
      /(?<![.\w$])(?:execSync|execFileSync|spawnSync)\s*\(/,
      // The internal bindings child_process is built on: spawning without ever naming child_process.
      /\bprocess\.(?:binding|_linkedBinding)\s*\(\s*["'](?:spawn_sync|process_wrap)["']/,
    ),
  },
  {
    id: "env-dump",
    kind: "intent",
    test: firstMatch(
      /JSON\.stringify\(\s*process\.env\s*[,)]/,
      /Object\.(?:entries|values)\(\s*process\.env\s*\)/,
      /\bprintenv\b/,
      /\benv\s*\|\s*(?:base64|curl)/,
    ),
  },
  {
    id: "credential-files",
    kind: "intent",
    test: firstMatch(
      // ~/.npmrc holds the npm token; a bare ".npmrc" is how tools look up *project* config
      // (vite, vitest), so only the one next to a home-directory reference counts.
      /(?:homedir\(\)|\bHOME\b|USERPROFILE|~)[^\n;]{0,80}\.npmrc\b/,
      /\.ssh[/\\](?:id_|authorized_keys|config)/,
      /\.aws[/\\]credentials/,
      /\.config[/\\]gcloud/,
      /\.azure[/\\]/,
      /\.git-credentials/,
      /\.docker[/\\]config\.json/,
      /\.kube[/\\]config/,
      /\bgh auth token\b/,
    ),
  },
  {
    id: "wallet-files",
    kind: "intent",
    test: firstMatch(
      /\bwallet\.dat\b/,
      /Local Extension Settings/,
      /nkbihfbeogaeaoehlefnkodbefgpgknn/,
      /\.(?:ethereum|electrum|exodus)[/\\]/i,
      /\bkeystore[/\\]UTC--/,
    ),
  },
  {
    id: "wallet-hook",
    kind: "intent",
    test: allOf(
      /\bwindow\.ethereum\b/,
      /XMLHttpRequest\.prototype\.(?:open|send)\s*=|\bwindow\.fetch\s*=|\.request\s*=\s*(?:async\s*)?function/,
    ),
  },
  { id: "mangled-identifiers", kind: "obfuscation", test: countAtLeast(/\b_0x[0-9a-f]{4,6}\b/g, 30) },
  {
    id: "eval-decoded",
    kind: "obfuscation",
    test: firstMatch(
      /\beval\s*\(\s*(?:atob|unescape|decodeURIComponent|Buffer\.from|String\.fromCharCode)\s*\(/,
      /\b(?:new\s+)?Function\s*\(\s*(?:atob|unescape|decodeURIComponent|Buffer\.from|String\.fromCharCode)\s*\(/,
      /\beval\s*\(\s*[\w$]+\.toString\(\s*["']utf-?8["']\s*\)\s*\)/,
      // Code written as escapes only: `eval("\x72\x65…")`. Minifiers never escape printable ASCII.
      /\b(?:eval|Function)\s*\(\s*["'`](?:\\x[0-9a-fA-F]{2}|\\u[0-9a-fA-F]{4}){8}/,
      // A shell command that is only readable once decoded.
      /(?<![\w$])(?:exec|execSync|spawn|spawnSync)\s*\(\s*(?:atob|Buffer\.from|String\.fromCharCode)\s*\(/,
      // A module name cut in two so a search for it misses: `require("child_" + "process")`.
      /\brequire\s*\(\s*["'][\w-]{1,20}["']\s*\+\s*["'][\w-]{1,20}["']/,
    ),
  },
  {
    id: "encoded-blob",
    kind: "obfuscation",
    // `AGFzbQ` is base64 for "\0asm": inlined WebAssembly (es-module-lexer, parsers) is a normal way to ship wasm.
    test: firstMatch(/["'`](?!AGFzbQ)[A-Za-z0-9+/]{4000}/, /["'`](?:[0-9a-f]{2}){2000}/, /(?:\\x[0-9a-f]{2}){200}/i),
  },
  // Proximity, not mere co-occurrence: big bundles contain both a cipher and a module loader, far apart.
  {
    id: "decrypt-and-run",
    kind: "intent",
    test: firstMatch(/\bcreateDecipher(?:iv)?\s*\([\s\S]{0,6000}?(?:\._compile\s*\(|\bnew module\.constructor\b)/),
  },
  {
    id: "download-and-run",
    kind: "capability",
    test: firstMatch(
      /\b(?:curl|wget)\b[^\n|;]{0,200}\|\s*(?:ba|z)?sh\b/,
      /\b(?:curl|wget)\b[^\n]{0,300}(?:chmod\s+\+?[0-7]*x|\.\/)/,
      /chmod(?:Sync)?\s*\([^)]{0,100}0o?7[0-7]{2}/,
      /\bInvoke-WebRequest\b[^\n]{0,200}Start-Process/,
    ),
  },
  // Running a script straight from the network: nothing of it is in the tarball to review, and it can change any day.
  { id: "pipe-to-shell", kind: "capability", test: firstMatch(/\b(?:curl|wget)\b[^\n|;]{0,200}\|\s*(?:sudo\s+)?(?:ba|z)?sh\b/) },
  { id: "raw-ip-url", kind: "intent", test: firstMatch(/https?:\/\/\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}[:/]/) },
  {
    id: "cryptominer",
    kind: "intent",
    test: firstMatch(/stratum\+(?:tcp|ssl):\/\//, /\bxmrig\b/i, /--donate-level\b/, /\bminexmr\b/i, /--rig-id\b/),
  },
  { id: "windows-lolbin", kind: "intent", test: firstMatch(/\bregsvr32(?:\.exe)?\s+\/?-?s\b/i, /\bcertutil(?:\.exe)?\s+-urlcache\b/i) },
  {
    id: "workflow-write",
    kind: "intent",
    test: allOf(
      /\.github[/\\]workflows/,
      /\bwriteFile(?:Sync)?\s*\(|\bcreateOrUpdateFileContents\b|\/contents\/\.github\/workflows|\bgit\s+push\b/,
    ),
  },
  {
    id: "self-publish",
    kind: "intent",
    test: firstMatch(/\bnpm\s+publish\b/, /\/-\/v1\/search\?text=maintainer:/, /\bnpm\s+token\s+create\b/),
  },
  { id: "secret-scanner", kind: "intent", test: firstMatch(/\btrufflehog\b/i, /\bgitleaks\b/i, /\bdetect-secrets\b/) },
  { id: "ai-cli-abuse", kind: "intent", test: firstMatch(/--dangerously-skip-permissions\b/, /--trust-all-tools\b/, /["'`\s]--yolo\b/) },
  {
    id: "shell-rc-tamper",
    kind: "intent",
    test: firstMatch(/appendFile(?:Sync)?\s*\([^;\n]{0,200}\.(?:bashrc|zshrc)\b/, />>\s*~?\/?[\w/$.{}]{0,100}\.(?:bashrc|zshrc)\b/),
  },
];

/** Strong intents: each is reason enough to block an install. */
export const STRONG_INTENTS: ReadonlySet<SignalId> = new Set([
  "decrypt-and-run",
  "cryptominer",
  "windows-lolbin",
  "workflow-write",
  "self-publish",
  "secret-scanner",
  "ai-cli-abuse",
  "wallet-hook",
]);
