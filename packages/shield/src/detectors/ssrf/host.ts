/**
 * Is a URL's host an internal target? Hosts are read the way the C resolver
 * (inet_aton) and WHATWG URL parsers read them, because that is what the
 * server's HTTP client will connect to: `2130706433`, `0x7f.1`, `0177.0.0.1`
 * and `[::ffff:7f00:1]` are all 127.0.0.1.
 */

export type TargetKind = "loopback" | "metadata" | "private" | "link-local" | "unspecified";

/** Cloud instance-metadata endpoints by name: credentials live behind them. */
const METADATA_NAMES = new Set([
  "metadata.google.internal",
  "metadata.goog",
  "metadata",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.azure.com",
  "metadata.packet.net",
  "169.254.169.254.nip.io",
]);

/** Public DNS names whose only purpose is to resolve to the loopback address (PortSwigger's is in its SSRF cheat sheet). */
const LOOPBACK_SERVICE_NAMES = new Set(["lvh.me", "localtest.me", "vcap.me", "spoofed.burpcollaborator.net"]);

/** Names that resolve to the host itself or the container host. */
const LOOPBACK_NAMES = new Set([
  "localhost",
  "localhost4",
  "localhost6",
  "localhost.localdomain",
  "localhost4.localdomain4",
  "localhost6.localdomain6",
  "ip6-localhost",
  "ip6-loopback",
  "host.docker.internal",
  "gateway.docker.internal",
  "host.containers.internal",
  "kubernetes.default",
  "kubernetes.default.svc",
  ...LOOPBACK_SERVICE_NAMES,
]);

/** Wildcard DNS services that resolve `127.0.0.1.nip.io` to 127.0.0.1, a classic filter bypass. */
const REBINDING_SUFFIXES = [
  ".nip.io",
  ".xip.io",
  ".sslip.io",
  ".localtest.me",
  ".lvh.me",
  ".vcap.me",
  ".lacolhost.com",
  ".127.0.0.1.nip.io",
];

/**
 * A name that exists only to reach an internal address from outside a filter: a wildcard-DNS name
 * (`127.0.0.1.nip.io`, `customer1.app.127.0.0.1.nip.io`), a public loopback alias (`localtest.me`), a cloud
 * metadata name (`metadata.google.internal`). Unlike `localhost` or `printer.local`, no one writes such a name
 * into a form except to have a server fetch it, so it is a target even without a scheme. Undefined for others.
 */
export function classifyServiceAlias(rawHost: string): TargetKind | undefined {
  const host = rawHost.toLowerCase();
  if (host.indexOf(".") === -1) return undefined;
  const isAlias =
    LOOPBACK_SERVICE_NAMES.has(host) || METADATA_NAMES.has(host) || REBINDING_SUFFIXES.some((suffix) => host.endsWith(suffix));
  // What the name reaches is classifyHost's to say, as for the same name inside a URL.
  return isAlias ? classifyHost(host) : undefined;
}

export function classifyHost(rawHost: string): TargetKind | undefined {
  let host = rawHost.toLowerCase();
  if (host.endsWith(".")) host = host.slice(0, -1);
  if (host.startsWith("[") && host.endsWith("]")) return classifyIpv6(host.slice(1, -1));
  if (host.indexOf(":") !== -1) return classifyIpv6(host);
  if (METADATA_NAMES.has(host)) return "metadata";
  if (LOOPBACK_NAMES.has(host) || host.endsWith(".localhost")) return "loopback";
  // Reserved for private use (RFC 6762 .local, ICANN's .internal) and cluster DNS.
  if (host.endsWith(".internal") || host.endsWith(".local") || host.endsWith(".svc.cluster.local")) return "private";
  const ipv4 = parseIpv4(host);
  if (ipv4 !== undefined) return classifyIpv4(ipv4);
  for (const suffix of REBINDING_SUFFIXES) {
    if (host.endsWith(suffix)) {
      const embedded = host.slice(0, -suffix.length).split(".").slice(-4).join(".");
      const ip = parseIpv4(embedded);
      return ip === undefined ? "private" : (classifyIpv4(ip) ?? "private");
    }
  }
  if (host.endsWith(".rbndr.us") || host.endsWith(".1u.ms")) return classifyRebinder(host);
  return undefined;
}

/** An IPv4 address in a rebinding name: eight hex digits (`7f000001`), or four numbers joined by `-` or `.`. */
const REBIND_ADDRESS = /(?:^|[.-])([0-9a-f]{8}|\d{1,3}[.-]\d{1,3}[.-]\d{1,3}[.-]\d{1,3})(?=[.-]|$)/g;

/**
 * DNS rebinding services answer a name with one address, then another: rbndr.us's `7f000001.c0a80001.rbndr.us`
 * (two addresses in hex), 1u.ms's `make-1.2.3.4-rebind-127.0.0.1-rr.1u.ms`. A validator resolves the public one, the
 * fetcher connects to the internal one: the strongest address the name holds decides.
 */
function classifyRebinder(host: string): TargetKind | undefined {
  const name = host.slice(0, 120);
  let best: TargetKind | undefined;
  REBIND_ADDRESS.lastIndex = 0;
  for (let match = REBIND_ADDRESS.exec(name); match !== null; match = REBIND_ADDRESS.exec(name)) {
    const text = match[1] as string;
    const ip = text.length === 8 && !/[.-]/.test(text) ? Number.parseInt(text, 16) : parseIpv4(text.replace(/-/g, "."));
    const kind = ip === undefined || Number.isNaN(ip) ? undefined : classifyIpv4(ip);
    if (kind !== undefined && (best === undefined || REBIND_RANK[kind] > REBIND_RANK[best])) best = kind;
  }
  return best;
}

const REBIND_RANK: Readonly<Record<TargetKind, number>> = { metadata: 4, loopback: 3, "link-local": 2, private: 1, unspecified: 0 };

/** True when a host is an IP literal written other than as dotted decimal: hex, octal, a bare integer, IPv6. */
export function isObfuscatedIp(rawHost: string): boolean {
  const host = rawHost.toLowerCase();
  if (host.startsWith("[")) return !isGlobalUnicastLiteral(host);
  if (parseIpv4(host) === undefined) return false;
  return !/^(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/.test(host);
}

/**
 * `[2606:4700:4700::1111]`: a plain literal in 2000::/3, the only block of
 * public internet hosts (RFC 4291 §2.4), is how an IPv6 host is written.
 * Any other block (`[a::b]`, `[dead:beef::1]`), an embedded IPv4 address
 * (`[::127.0.0.1]`, `[::ffff:…]`) or a zone is spelled to slip past a filter.
 */
function isGlobalUnicastLiteral(bracketed: string): boolean {
  const inner = bracketed.slice(1, bracketed.endsWith("]") ? -1 : undefined);
  if (inner.indexOf(".") !== -1 || inner.indexOf("%") !== -1 || inner.indexOf("::ffff:") !== -1) return false;
  const first = /^([0-9a-f]{4}):/.exec(inner)?.[1];
  return first !== undefined && (Number.parseInt(first, 16) & 0xe000) === 0x2000;
}

/** inet_aton: one to four parts, each decimal, octal (leading 0) or hex (0x); the last part fills the remaining bytes. */
export function parseIpv4(host: string): number | undefined {
  if (host.length === 0 || host.length > 64) return undefined;
  const parts = host.split(".");
  if (parts.length > 4) return undefined;
  const values: number[] = [];
  for (const part of parts) {
    const value = parseIpv4Part(part);
    if (value === undefined) return undefined;
    values.push(value);
  }
  const last = values.pop() as number;
  let result = 0;
  for (const value of values) {
    if (value > 255) return undefined;
    result = result * 256 + value;
  }
  const remaining = 4 - values.length;
  if (last >= 256 ** remaining) return undefined;
  return result * 256 ** remaining + last;
}

function parseIpv4Part(part: string): number | undefined {
  if (part.length === 0 || part.length > 34) return undefined;
  let digits = part;
  let radix = 10;
  if (/^0x/i.test(part)) {
    digits = part.slice(2);
    radix = 16;
    if (digits.length === 0) return 0;
  } else if (part.length > 1 && part.startsWith("0")) {
    digits = part.slice(1);
    radix = 8;
  }
  const pattern = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  if (!pattern.test(digits)) return undefined;
  const value = Number.parseInt(digits, radix);
  return Number.isSafeInteger(value) ? value : undefined;
}

export function classifyIpv4(ip: number): TargetKind | undefined {
  const a = Math.floor(ip / 2 ** 24);
  const b = Math.floor(ip / 2 ** 16) % 256;
  // 169.254.169.254 (AWS, GCP, Azure…) and 100.100.100.200 (Alibaba) serve instance credentials.
  // 192.0.0.192 is Oracle Cloud's.
  if (ip === 0xa9fea9fe || ip === 0x646464c8 || ip === 0xc00000c0) return "metadata";
  if (a === 127) return "loopback";
  // Only 0.0.0.0 itself reaches this host (Linux and browsers treat it as the local machine); the rest of 0/8
  // routes nowhere, and what reads as one of its addresses is mostly a version number (`0.35.5` is 0.35.0.5).
  if (ip === 0) return "unspecified";
  if (a === 0) return undefined;
  if (a === 10 || (a === 172 && b >= 16 && b < 32) || (a === 192 && b === 168)) return "private";
  if (a === 100 && b >= 64 && b < 128) return "private";
  if (a === 169 && b === 254) return "link-local";
  return undefined;
}

function classifyIpv6(text: string): TargetKind | undefined {
  const zone = text.indexOf("%");
  const address = (zone === -1 ? text : text.slice(0, zone)).toLowerCase();
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const leadingZero = groups.slice(0, 5).every((g) => g === 0);
  if (groups.every((g) => g === 0)) return "unspecified";
  if (leadingZero && groups[5] === 0 && groups[6] === 0 && groups[7] === 1) return "loopback";
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible (::a.b.c.d) addresses reach the embedded IPv4 host.
  if (leadingZero && (groups[5] === 0xffff || groups[5] === 0)) {
    return classifyIpv4((groups[6] as number) * 65536 + (groups[7] as number));
  }
  const first = groups[0] as number;
  if ((first & 0xfe00) === 0xfc00) return first === 0xfd00 && groups[1] === 0xec2 ? "metadata" : "private";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  return undefined;
}

/** Eight 16-bit groups, or undefined when `text` is not an IPv6 address. Accepts a trailing dotted IPv4. */
function expandIpv6(text: string): number[] | undefined {
  if (text.length > 64 || !/^[0-9a-f:.]+$/.test(text)) return undefined;
  let tail: number[] = [];
  let head = text;
  const lastColon = text.lastIndexOf(":");
  if (text.indexOf(".", lastColon) !== -1) {
    const ipv4 = parseIpv4(text.slice(lastColon + 1));
    if (ipv4 === undefined) return undefined;
    tail = [Math.floor(ipv4 / 65536), ipv4 % 65536];
    head = text.slice(0, lastColon + 1);
    if (!head.endsWith("::")) head = head.slice(0, -1);
  }
  const double = head.indexOf("::");
  const parse = (s: string) => (s === "" ? [] : s.split(":").map((g) => (/^[0-9a-f]{1,4}$/.test(g) ? Number.parseInt(g, 16) : Number.NaN)));
  let groups: number[];
  if (double !== -1) {
    const left = parse(head.slice(0, double));
    const right = parse(head.slice(double + 2));
    const fill = 8 - tail.length - left.length - right.length;
    if (fill < 0) return undefined;
    groups = [...left, ...new Array<number>(fill).fill(0), ...right, ...tail];
  } else {
    groups = [...parse(head), ...tail];
  }
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return undefined;
  return groups;
}
