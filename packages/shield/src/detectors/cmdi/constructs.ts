/**
 * Shell constructs that no prose, path or identifier contains: each is
 * enough on its own to call a value a command injection, whatever command
 * it runs. Every pattern is a single pass with bounded repetitions.
 */
export interface Construct {
  readonly pattern: RegExp;
  readonly score: number;
  readonly label: string;
  /** A literal the pattern cannot match without; checked first, so most values cost one indexOf. */
  readonly needs: string;
}

/** Package managers whose install fetches code and runs its install hooks (the install construct below). */
const PACKAGE_MANAGERS = "pip[0-9.]{0,4}|pipx|npm|pnpm|yarn|gem|cargo|composer|apt|apt-get|yum|dnf|apk|brew";

/** A package manager's install opening the value: the install construct's first words, for the plain-value pre-check. */
export const PACKAGE_INSTALL_OPENER = new RegExp(`^\\s*(?:${PACKAGE_MANAGERS})\\s+(?:install|i|add)\\s`, "i");
/** The first letters of the package managers: a value opening with another letter skips the opener's regex. */
export const PACKAGE_MANAGER_INITIALS: ReadonlySet<number> = new Set(PACKAGE_MANAGERS.split("|").map((name) => name.charCodeAt(0)));

export const CONSTRUCTS: readonly Construct[] = [
  // `c89 -wrapper sh,-c,id`, `find -exec sh,-c,…`: a shell's argv written out with commas.
  { pattern: /\b(?:ba|da|z|k|c|tc)?sh,-c,/, score: 0.9, label: "shell argv", needs: ",-c," },
  // `$((7*7))`: arithmetic expansion, a probe that the value reached a shell.
  { pattern: /\$\(\(/, score: 0.8, label: "shell arithmetic expansion", needs: "$((" },
  // `${PATH#{}/}`, `${x%%y}`, `${v:-cmd}`: parameter expansion operators exist only in sh.
  { pattern: /\$\{[a-z_][a-z0-9_]{0,30}(?:#|%|:[-=?+]|\/|\^|,)/, score: 0.8, label: "shell parameter expansion", needs: "${" },
  // `${PATH:0:1}`, `${HOME: -1}`: substring expansion, how payloads spell `/` without writing one.
  { pattern: /\$\{[a-z_][a-z0-9_]{0,30}:\s?-?\d{1,4}(?::\d{1,4})?\}/, score: 0.8, label: "shell substring expansion", needs: "${" },
  // `$'\x69\x64'`, `$'\151\144'`: ANSI-C quoting, bytes spelled as escapes to hide a command's name.
  { pattern: /\$'(?:\\x[0-9a-f]{2}|\\[0-7]{3}|\\u[0-9a-f]{4})/, score: 0.85, label: "shell ansi-c quoted escapes", needs: "$'" },
  // `<(cmd)`, `>(cmd)`: bash process substitution, opening a word.
  { pattern: /(?:^|[\s;|&=])[<>]\([a-z][^)\n]{0,60}\)/, score: 0.8, label: "process substitution", needs: "(" },
  // `alias a=curl&a evil`, `alias -p x=id`: defining an alias is how a payload renames a blocked command.
  // No newline in the space after the opener (the last newline of a run opens instead): linear, see the mail commands.
  {
    pattern: /(?:^\s*|[;&|\n`(][^\S\n]*)alias\s+(?:[-+][a-z]{1,10}\+?\s+){0,4}['"]?[\w.-]{1,40}['"]?=/,
    score: 0.85,
    label: "shell alias definition",
    needs: "alias",
  },
  // SQLite's CLI runs `.shell`/`.system` dot-commands from a new line or after `;` (CVE class behind CRS 932210).
  {
    pattern: /(?:^\s*|[;\n][^\S\n]*)\.\s?['"\\]{0,2}(?:sh|shell|system|databases|tables|dump|import|output|once|load|schema)(?=[\s'"]|$)/,
    score: 0.85,
    label: "sqlite dot-command",
    needs: ".",
  },
  // `pip install x`, `npm i x`, `gem install x` as a whole value: a package manager fetching and running someone's
  // install hooks, the download step of a payload. In a sentence ("run npm install first") it does not open the value.
  {
    pattern: new RegExp(
      `^\\s*(?:${PACKAGE_MANAGERS})\\s+(?:install|i|add)(?:\\s+-{1,2}[a-z][\\w-]{0,30}){0,3}(?:\\s+[@a-z0-9][\\w@/.:=+-]{0,80}){1,4}\\s*$`,
    ),
    score: 0.75,
    label: "package install command",
    needs: " ",
  },
  // Argument injection: an option that makes the program the app runs start another one (ssh's ProxyCommand, tar's
  // compress program and checkpoint action, rsync's and git's remote programs, find's -exec, sendmail's queue
  // directory). Only at the start of a word, as the app's argv receives it.
  {
    pattern:
      /(?:^|[\s'"])(?:-o\s?['"]?(?:proxy|local)command=|--(?:use-compress-program|to-command|checkpoint-action=exec|rsh-command|info-script|new-volume-script|rsync-path|upload-pack|receive-pack|unzip-command)[=\s]|-exec(?:dir)?\s+[^\s-][^;\n]{0,80};|-c\s?['"]?core\.(?:sshcommand|pager|fsmonitor|editor)=|-oqueuedirectory=)/,
    score: 0.85,
    label: "option that runs a command",
    needs: "-",
  },
  // `reg add "HKLM\…"`: Windows registry edits name a hive no prose names.
  {
    pattern: /\breg(?:\.exe)?\s+(?:add|query|delete|save|export|import|load|copy)\s+['"]?(?:hk(?:lm|cu|cr|u|cc)\b|hkey_)/,
    score: 0.85,
    label: "windows registry command",
    needs: "reg",
  },
  // `netsh firewall set opmode disable`: netsh with one of its contexts.
  {
    pattern: /\bnetsh(?:\.exe)?\s+(?:firewall|advfirewall|interface|int|wlan|winhttp|http|wfp|ipsec|routing|trace|dump|add|set)\b/,
    score: 0.85,
    label: "netsh command",
    needs: "netsh",
  },
  // `powershell -enc <base64>`, `-EncodedCommand`: the usual way to smuggle a script past filters.
  {
    pattern: /\b(?:powershell|pwsh)(?:\.exe)?\s+(?:-[a-z]{1,20}\s+){0,4}-e(?:nc|ncodedcommand)?\s+[a-z0-9+/=]{8}/,
    score: 0.95,
    label: "encoded powershell",
    needs: " -e",
  },
  // `%COMSPEC% /c`, `cmd /c`, `cmd.exe /k`: the Windows shell told to run what follows.
  { pattern: /(?:%comspec%|\bcmd(?:\.exe)?)\s+\/[ck]\s+\S/, score: 0.9, label: "cmd.exe /c", needs: " /" },
  // `vim x +silent\ \!whoami`, `ex -c:!pwd`: an editor's shell escape.
  {
    pattern: /(?:\\|:)!\s*(?:whoami|id|pwd|sh|bash|ls|cat|uname|curl|wget|nc|python3?|perl)(?=[\s'"+;]|$)/,
    score: 0.85,
    label: "editor shell escape",
    needs: "!",
  },
  // Mail protocol injection (SMTP, IMAP, POP3): a CR/LF in a field the app passes to a mail server starts a protocol command.
  // After the line break only spaces and tabs, not `\s*`: with `\s*` every newline of a long run started a match that
  // rescanned the rest of the run (40,000 newlines took 5 s); now the match starts at the run's last line break.
  { pattern: /[\r\n][^\S\r\n]*(?:mail\s+from|rcpt\s+to)\s*:\s*</, score: 0.85, label: "smtp command injection", needs: "\n" },
  {
    pattern:
      /[\r\n][^\S\r\n]*[a-z]{1,4}\d{1,6}\s+(?:append|authenticate|uid|copy|list|lsub|store|search|examine|select|login|fetch|logout|create|delete|rename|status|expunge|noop|capability|quit)\b/,
    score: 0.85,
    label: "imap command injection",
    needs: "\n",
  },
  {
    pattern:
      /[\r\n][^\S\r\n]*(?:(?:retr|dele|list|uidl)\s+\d{1,9}|top\s+\d{1,9}\s+\d{1,9}|auth\s+[a-z0-9_-]{1,40}\s+[a-z0-9+/]{8,}=*|quit|data)\s*(?:[\r\n]|$)/,
    score: 0.8,
    label: "mail protocol command injection",
    needs: "\n",
  },
];

/** Characters the value-level pre-check calls shell syntax; a construct needing one cannot match a value without it. */
const SYNTAX_CHARS = /[;|&`$\n\r(){}<>'"\\[*?%]/;

/** The constructs that can match a value with no shell syntax at all (`netsh firewall …`, `alias a=b`). */
export const PLAIN_CONSTRUCTS: readonly Construct[] = CONSTRUCTS.filter((c) => !SYNTAX_CHARS.test(c.needs));

/** The strongest construct in `text`, if any. */
export function findConstruct(
  text: string,
  constructs: readonly Construct[] = CONSTRUCTS,
): { construct: Construct; index: number } | undefined {
  let best: { construct: Construct; index: number } | undefined;
  for (const construct of constructs) {
    if ((best && construct.score <= best.construct.score) || text.indexOf(construct.needs) === -1) continue;
    const match = construct.pattern.exec(text);
    if (match) best = { construct, index: match.index };
  }
  return best;
}
