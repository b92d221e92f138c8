/**
 * Passwords from a generator (a password manager's `N#gY&(odZr~h6">"q`) are
 * random printable characters: one in a hundred reads as a quote breakout, a
 * shell operator or a template tag by chance, and the shield would lock that
 * user out of every login. An attack typed into a password field is not
 * random: it has spaces, or SQL, shell or script words (`'or'1'='1'--` is
 * lower case; `SeLeCt` is a word however it is cased). In a secret field, a
 * value that looks generated must show a stronger finding to be denied.
 */

/**
 * Field names that hold a password or a secret: `password`, `newPassword`, `confirm_pwd`, `client_secret`,
 * `passphrase`, `pass2`, `pw`, and the word in German, French, Spanish, Portuguese, Dutch and Polish forms.
 */
const SECRET_FIELD =
  /passw(?:or)?[dt]|passphrase|passcode|pwd|secret(?!ar)|^pass\d?$|^pw\d?$|mot_?de_?passe|contrase|senha|wachtwoord|haslo/i;

/** Words of at least four letters that an attack writes; found inside any run of letters, in any case. */
const ATTACK_WORDS = [
  // SQL
  ...(
    "select union from where null true false like sleep benchmark waitfor delay order group having " +
    "insert update delete drop table exec declare char concat substr ascii case when then else " +
    "version database user schema information sysobjects dual limit offset into load file cast " +
    "convert unhex extractvalue updatexml admin root"
  ).split(" "),
  // script
  ...(
    "script alert prompt confirm javascript vbscript onerror onload onmouse onfocus iframe body style " +
    "href document cookie window location eval fromcharcode atob data base"
  ).split(" "),
  // shell and code
  ...(
    "bash curl wget ping nslookup whoami uname echo passwd shadow proc powershell python perl ruby " +
    "netcat telnet ifconfig ipconfig timeout self class subclasses config globals import require " +
    "process child spawn system popen runtime constructor prototype proto jndi ldap windows boot " +
    "print while inject"
  ).split(" "),
  // files
  ..."conf httpd apache mysql named syslog htaccess".split(" "),
];
/** Three-letter words count only as a whole run of letters: random runs contain them by chance. */
const SHORT_WORDS = new Set("and xor not cat bin etc img svg src php cmd dir rmi hex win ini sys env var log usr opt tmp dev".split(" "));

/** Shortest and longest value judged: shorter ones are too few characters to call random; longer ones are not passwords. */
const MIN_LENGTH = 10;
const MAX_LENGTH = 128;

export function isSecretField(name: string | undefined): boolean {
  return name !== undefined && SECRET_FIELD.test(name);
}

/**
 * True when the value has the shape of a generated password: printable ASCII without spaces, upper and lower
 * case letters mixed, a digit or a symbol, and no attack word in its letters.
 */
export function looksGenerated(value: string): boolean {
  if (value.length < MIN_LENGTH || value.length > MAX_LENGTH) return false;
  let lower = 0;
  let upper = 0;
  let other = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c <= 0x20 || c >= 0x7f) return false;
    if (c >= 97 && c <= 122) lower++;
    else if (c >= 65 && c <= 90) upper++;
    else other++;
  }
  if (lower < 2 || upper < 2 || other === 0) return false;
  return !hasAttackWord(value.toLowerCase());
}

function hasAttackWord(lower: string): boolean {
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 0;
    const letter = c >= 97 && c <= 122;
    if (letter && start === -1) start = i;
    if (letter || start === -1) continue;
    const run = lower.slice(start, i);
    start = -1;
    if (run.length === 3 && SHORT_WORDS.has(run)) return true;
    if (run.length >= 4 && ATTACK_WORDS.some((word) => run.includes(word))) return true;
  }
  return false;
}
