/**
 * Structural signals: what a User-Agent's *shape* says when no catalogue
 * token names it. Browsers write their User-Agent from a fixed template
 * (RFC 9110 §10.1.5 product tokens and comments, then each vendor's frozen
 * layout); crawlers that imitate one tend to sign inside it, leave a contact
 * address, or drop the template altogether. Every check here is a single
 * left-to-right scan of the lowercased string: no regex, nothing to backtrack.
 */

export interface StructureFacts {
  /** A platform word (windows, android, iphone…) matched somewhere. */
  readonly hasPlatform: boolean;
  /** A browser that legitimately writes "compatible;" (old IE, Konqueror) matched. */
  readonly hasCompatibleBrowser: boolean;
  /** A people's app known to send a bare "Name/version" (catalogue `apps`) matched. */
  readonly isKnownApp: boolean;
}

/**
 * Top-level domains that crawler operators put in their User-Agent so site
 * owners can look them up. The list only has to cover contact addresses; a
 * domain followed by `/<digit>` is an app's product token ("ricardo.ch/8.2")
 * and is not counted.
 */
const CONTACT_TLDS = new Set(
  (
    "com net org info biz io co ai app dev me us uk de fr ru cn jp br in eu ch nl it es pl se no fi dk at be cz sk " +
    "hu ro gr pt ie ca au nz za kr tw hk sg my id vn th tr ua by kz il ly gy cc tv ws xyz site online tech top pro " +
    "edu gov cloud page link news blog agency digital media"
  ).split(" "),
);

/** Returns the structural signals of a lowercased, length-bounded User-Agent (empty when it looks well-formed). */
export function structuralSignals(text: string, facts: StructureFacts, signals: string[] = []): string[] {
  if (isBareWord(text)) {
    // One bare word ("chrome", "ipad", "123") is a placeholder someone typed into a tool, not a product grammar.
    signals.push("ua:bare-word");
  } else if (!text.includes("(") && !facts.hasPlatform && !facts.isKnownApp) {
    signals.push("ua:no-platform");
  } else if (!facts.hasPlatform && !facts.isKnownApp && isProductWithBareComment(text)) {
    // "Acme POS/1.0 (Acme Soft)": an app's comment says what it runs on ("(iPhone; iOS 17.5; Scale/3.00)");
    // a comment naming no platform and no engine is a tool signing its requests.
    signals.push("ua:no-platform");
  } else if (!facts.hasPlatform && isNameWithoutVersion(text)) {
    // "Bushbaby (reported in logs)": browsers and apps always send product/version; a plain name is a script.
    signals.push("ua:no-version");
  }
  // "Mozilla/5.0 (compatible; Name/1.0)" is how crawlers announce themselves; of browsers only old IE writes it.
  if (
    text.includes("compatible;") &&
    !facts.hasCompatibleBrowser &&
    !facts.hasPlatform &&
    !text.includes("gecko") &&
    !text.includes("webkit") &&
    !text.includes("presto")
  ) {
    signals.push("ua:compatible-not-a-browser");
  }
  if (signsEngineComment(text)) signals.push("ua:signed-engine-comment");
  if (text.includes("()")) signals.push("ua:empty-comment");
  if (hasContactAddress(text)) signals.push("ua:contact-address");
  // Browsers start with their product token; a prefix before "Mozilla/" is a tool wrapping or faking one.
  const mozilla = text.indexOf("mozilla/");
  if (mozilla > 0 && (text[mozilla - 1] === "|" || text[mozilla - 2] === ",")) signals.push("ua:prefixed-mozilla");
  return signals;
}

/**
 * WebKit and Blink browsers write the engine comment verbatim: "(KHTML, like
 * Gecko)", at most followed by ", Safari/x" (or ", Safari") in old Safari-era
 * builds. Anything else after it ("(KHTML, like Gecko; compatible; GPTBot/1.2)",
 * "(KHTML, like Gecko, Google Keyword Suggestion)") is a crawler signing a
 * borrowed User-Agent; no browser ever shipped that. Only the comment counts:
 * the marker must open a parenthesis, so a flattened "…; KHTML, like Gecko; …"
 * (an app's own odd template) is left to the other checks.
 */
function signsEngineComment(text: string): boolean {
  for (const marker of ["(khtml, like gecko", "(khtml,like gecko"]) {
    let at = text.indexOf(marker);
    while (at !== -1) {
      let next = at + marker.length;
      while (text.charCodeAt(next) === 32) next++;
      if (text[next] === ";") return true;
      if (text[next] === ",") {
        next++;
        while (text.charCodeAt(next) === 32) next++;
        if (!text.startsWith("safari", next)) return true;
      }
      at = text.indexOf(marker, next);
    }
  }
  return false;
}

/**
 * "Name/1.0 (comment)" at the very start, with no browser engine anywhere: the shape of an HTTP tool's
 * User-Agent. Browsers start with "Mozilla/" or "Opera/" and name an engine; those are left to other checks.
 */
function isProductWithBareComment(text: string): boolean {
  if (text.startsWith("mozilla/") || text.startsWith("opera/")) return false;
  let i = 0;
  // The product name: words separated by single spaces ("sora pos") or "::" (Perl modules: "hatena::bookmark"), then "/".
  while (
    i < text.length &&
    (isHostChar(text.charCodeAt(i)) || text[i] === "_" || text[i] === "." || text[i] === ":" || (text[i] === " " && i > 0))
  )
    i++;
  if (i === 0 || text[i] !== "/" || !isDigit(text.charCodeAt(i + 1))) return false;
  i++;
  while (i < text.length && text[i] !== " " && text[i] !== "(") i++;
  while (text[i] === " ") i++;
  if (text[i] !== "(") return false;
  for (const engine of ["gecko", "webkit", "khtml", "presto", "trident", "blink"]) if (text.includes(engine)) return false;
  return true;
}

/** Letters, digits, "-", "_" and "." only: an identifier, with no product/version and no comment. */
function isBareWord(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isHostChar(code) && code !== 95 && code !== 46) return false;
  }
  return true;
}

/** Words, spaces and parenthesised words, with no "/" anywhere: a product name with no version. */
function isNameWithoutVersion(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (!isHostChar(code) && code !== 95 && code !== 46 && code !== 32 && code !== 40 && code !== 41) return false;
  }
  return true;
}

function isHostChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45;
}

const TLD_LENGTHS = [...CONTACT_TLDS].map((tld) => tld.length);
const SHORTEST_TLD = Math.min(...TLD_LENGTHS);
const LONGEST_TLD = Math.max(...TLD_LENGTHS);

/** `text.slice(start, end)` is a listed top-level domain; the length check skips the slice for most labels. */
function isTopLevelDomain(text: string, start: number, end: number): boolean {
  const length = end - start;
  return length >= SHORTEST_TLD && length <= LONGEST_TLD && CONTACT_TLDS.has(text.slice(start, end));
}

/**
 * An e-mail address or a bare domain name ("sqcompliance.com/policy",
 * "abuse.example.fr", "name@example"): operators of automation leave one so
 * site owners can reach them; people's browsers never do. Reverse-DNS app ids
 * ("com.facebook.katana") end in a product name, not a top-level domain.
 */
function hasContactAddress(text: string): boolean {
  // "name@host": a letter after "@" (a version after it, "android@150.0", is an app's build tag).
  const at = text.indexOf("@");
  if (at > 0 && isHostChar(text.charCodeAt(at - 1)) && isLetter(text.charCodeAt(at + 1))) return true;
  if (text.includes("(at)")) return true;
  // Each dot with a host label before it and letters after it may end a domain ("sqcompliance.com"); a dot
  // followed by another label ("com.facebook.katana", "pkq1.180904.001") is checked at its last dot instead.
  let dot = text.indexOf(".");
  while (dot !== -1) {
    let end = dot + 1;
    while (end < text.length && isHostChar(text.charCodeAt(end))) end++;
    if (dot > 0 && isHostChar(text.charCodeAt(dot - 1)) && text.charCodeAt(end) !== 46 && isTopLevelDomain(text, dot + 1, end)) {
      // "ricardo.ch/8.28.2": a domain used as the product name, followed by its version, is an app.
      if (!(text[end] === "/" && isDigit(text.charCodeAt(end + 1))) && isDomainName(text, dot)) return true;
    }
    dot = text.indexOf(".", dot + 1);
  }
  return false;
}

/**
 * The name ending at `lastDot` is a domain, not a version or a field value: its last label has a letter
 * ("aolbuild/4343.2039.us" and "nintendobrowser/1.0.0.7494.eu" are build numbers with a region code), and
 * it does not directly follow a single "/" (the value of a key/value field such as "fbcr/telekom.de",
 * "build/miui.es"; an address after "http://" is still one). Walks back over one name only, so the
 * caller's scan stays linear: it checks each name at its last dot.
 */
function isDomainName(text: string, lastDot: number): boolean {
  let start = lastDot;
  let labelHasLetter = false;
  while (start > 0 && isHostChar(text.charCodeAt(start - 1))) {
    if (isLetter(text.charCodeAt(start - 1))) labelHasLetter = true;
    start--;
  }
  if (!labelHasLetter) return false;
  while (start > 0 && (isHostChar(text.charCodeAt(start - 1)) || text.charCodeAt(start - 1) === 46)) start--;
  return !(text[start - 1] === "/" && text[start - 2] !== "/");
}

function isLetter(code: number): boolean {
  return code >= 97 && code <= 122;
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}
