/**
 * A User-Agent is one header any script can copy. The rest of the request is
 * harder to fake consistently: real browsers always send Accept-Language and
 * Accept-Encoding, Chromium sends client hints and fetch metadata, and an
 * HTTP library that borrowed a Chrome string keeps its own header set. Each
 * mismatch is a named signal with a weight; the rule adds them up.
 */

export interface HeaderSignal {
  readonly name: string;
  readonly weight: number;
}

interface BrowserClaim {
  readonly engine: "chromium" | "firefox" | "safari";
  readonly major: number;
  readonly mobile: boolean;
  readonly platform: "windows" | "macos" | "linux" | "android" | "ios" | "chromeos" | "other";
  /** Windows NT version as a number (10, 6.1, 5.1), when the UA says Windows. */
  readonly windowsNt?: number;
}

const DAY_MS = 86_400_000;
// Chrome and Firefox ship a major version every four weeks. Anchors: Chrome 100 on 2022-03-29, Firefox 100 on 2022-05-03.
const CHROME_100 = Date.UTC(2022, 2, 29);
const FIREFOX_100 = Date.UTC(2022, 4, 3);
/** Canary and Nightly run up to three versions ahead of stable; one more for clock drift and early rollouts. */
const VERSION_HEADROOM = 4;

export function expectedMajor(anchorMs: number, now: number): number {
  return 100 + Math.floor((now - anchorMs) / (28 * DAY_MS));
}

function majorAfter(ua: string, marker: string): number | undefined {
  const at = ua.indexOf(marker);
  if (at < 0) return undefined;
  let end = at + marker.length;
  while (end < ua.length && end - at - marker.length < 6 && ua.charCodeAt(end) >= 48 && ua.charCodeAt(end) <= 57) end++;
  const digits = ua.slice(at + marker.length, end);
  return digits.length > 0 ? Number(digits) : undefined;
}

function platformOf(ua: string): BrowserClaim["platform"] {
  if (ua.includes("android")) return "android";
  if (ua.includes("iphone") || ua.includes("ipad") || ua.includes("ipod")) return "ios";
  if (ua.includes("windows")) return "windows";
  if (ua.includes("cros")) return "chromeos";
  if (ua.includes("macintosh")) return "macos";
  if (ua.includes("linux") || ua.includes("x11")) return "linux";
  return "other";
}

/** What browser a lowercased User-Agent claims to be, if it claims a modern one. */
export function parseBrowserClaim(ua: string): BrowserClaim | undefined {
  if (!ua.startsWith("mozilla/5.0")) return undefined;
  const platform = platformOf(ua);
  const mobile = ua.includes("mobile");
  const nt = /windows nt (\d+\.\d+)/.exec(ua);
  const windows = nt ? { windowsNt: Number(nt[1]) } : {};
  const firefox = majorAfter(ua, "firefox/");
  if (firefox !== undefined && !ua.includes("chrome/")) return { engine: "firefox", major: firefox, mobile, platform, ...windows };
  const chrome = majorAfter(ua, "chrome/");
  if (chrome !== undefined) return { engine: "chromium", major: chrome, mobile, platform, ...windows };
  const safari = majorAfter(ua, "version/");
  if (safari !== undefined && ua.includes("safari/")) return { engine: "safari", major: safari, mobile, platform, ...windows };
  return undefined;
}

const PLATFORM_HINTS: Readonly<Record<string, BrowserClaim["platform"]>> = {
  '"windows"': "windows",
  '"macos"': "macos",
  '"linux"': "linux",
  '"android"': "android",
  '"chrome os"': "chromeos",
  '"chromeos"': "chromeos",
  '"ios"': "ios",
};

/**
 * Signals for a request whose User-Agent claims a browser. `now` dates the
 * "impossible version" check, so tests can drive it.
 */
export function browserHeaderSignals(userAgent: string, headers: Readonly<Record<string, string>>, now: number): HeaderSignal[] {
  const ua = userAgent.toLowerCase();
  const claim = parseBrowserClaim(ua);
  if (!claim) return [];
  const signals: HeaderSignal[] = [];
  const acceptLanguage = headers["accept-language"];
  // Every desktop and mobile browser sends Accept-Language on every request; HTTP libraries do not.
  if (acceptLanguage === undefined || acceptLanguage.trim() === "") signals.push({ name: "headers:missing-accept-language", weight: 2 });
  // undici (Node's fetch) sends "accept-language: *"; no browser does.
  else if (acceptLanguage.trim() === "*") signals.push({ name: "headers:wildcard-accept-language", weight: 2 });
  if (headers.accept === undefined) signals.push({ name: "headers:missing-accept", weight: 1 });
  if (headers["accept-encoding"] === undefined) signals.push({ name: "headers:missing-accept-encoding", weight: 1 });

  const clientHints = headers["sec-ch-ua"];
  const hasFetchMetadata = headers["sec-fetch-mode"] !== undefined || headers["sec-fetch-site"] !== undefined;
  // Fetch metadata: Chromium 76+, Firefox 90+, Safari 16.4+; client hints: Chromium 89+. Both only in secure
  // contexts, and a TLS-terminating proxy hides which it was, so alone this weighs 1 and does not decide.
  const sendsFetchMetadata =
    (claim.engine === "chromium" && claim.major >= 89) ||
    (claim.engine === "firefox" && claim.major >= 90) ||
    (claim.engine === "safari" && claim.major >= 17);
  if (sendsFetchMetadata && !hasFetchMetadata && clientHints === undefined)
    signals.push({ name: "headers:missing-fetch-metadata", weight: 1 });

  if (clientHints !== undefined) {
    const hints = clientHints.toLowerCase();
    if (hints.includes("headless")) signals.push({ name: "headers:headless-client-hints", weight: 3 });
    // Only Chromium sends client hints (Chrome on iOS is WebKit and does not either).
    if (claim.engine !== "chromium" || claim.platform === "ios")
      signals.push({ name: "headers:client-hints-from-non-chromium", weight: 2 });
    const hintedPlatform = PLATFORM_HINTS[(headers["sec-ch-ua-platform"] ?? "").toLowerCase().trim()];
    if (hintedPlatform !== undefined && claim.platform !== "other" && hintedPlatform !== claim.platform) {
      signals.push({ name: "headers:client-hints-platform-mismatch", weight: 2 });
    }
    if (headers["sec-ch-ua-mobile"] === "?1" && !claim.mobile && claim.platform !== "android") {
      signals.push({ name: "headers:client-hints-mobile-mismatch", weight: 2 });
    }
  }

  if (claim.engine === "chromium" && claim.major > expectedMajor(CHROME_100, now) + VERSION_HEADROOM) {
    signals.push({ name: "ua:impossible-version", weight: 2 });
  } else if (claim.engine === "firefox" && claim.major > expectedMajor(FIREFOX_100, now) + VERSION_HEADROOM) {
    signals.push({ name: "ua:impossible-version", weight: 2 });
  }
  // Chrome dropped Windows XP/Vista after 49 and Windows 7/8.1 after 109: a newer Chrome there is a forged string.
  const nt = claim.windowsNt;
  if (claim.engine === "chromium" && nt !== undefined && ((nt < 6.1 && claim.major > 49) || (nt < 10 && nt >= 6.1 && claim.major > 109))) {
    signals.push({ name: "ua:impossible-os-version", weight: 2 });
  }
  return signals;
}
