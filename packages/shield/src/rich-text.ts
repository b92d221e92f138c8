/**
 * `shield({ richText })`: places that hold editor HTML. Applied to findings,
 * like exclusions: the hot path pays nothing, and only a finding in such a
 * place is judged again, on what the markup means rather than its brackets:
 * - XSS: as an HTML sanitizer's allow-list would (see detectRichTextXss);
 * - every other class: on the text the markup shows and on each attribute
 *   value, one at a time. A tag's `>` is not a shell redirection and `&amp;`
 *   is not a command separator, but `<p>'; DROP TABLE users--</p>` still is SQL.
 */
import { canonicalize } from "./canonicalize.js";
import type { AttackClass, Candidate, Detector } from "./detectors/types.js";
import { findTags } from "./detectors/xss/html-tags.js";
import { detectRichTextXss } from "./detectors/xss/index.js";
import { type LocationPattern, matchesPattern } from "./exclusions.js";
import type { LocatedFinding } from "./scan.js";

/** Bound on the attribute values judged one by one: a hostile value cannot multiply the work. */
const MAX_ATTRIBUTE_VALUES = 256;

/** `findings` with each finding in a rich-text place judged again, and dropped when it falls below `threshold`. */
export function judgeRichText(
  findings: readonly LocatedFinding[],
  candidates: readonly Candidate[],
  places: readonly LocationPattern[],
  detectors: ReadonlyMap<AttackClass, Detector>,
  threshold: number,
): LocatedFinding[] {
  const judged: LocatedFinding[] = [];
  const partsByLocation = new Map<string, readonly Part[]>();
  for (const finding of findings) {
    const value = richTextValueAt(finding.location, candidates, places);
    const detector = detectors.get(finding.class);
    if (value === undefined || (finding.class !== "xss" && detector === undefined)) {
      judged.push(finding);
      continue;
    }
    let again = finding.class === "xss" ? detectRichTextXss(value.raw) : undefined;
    if (finding.class !== "xss" && detector !== undefined) {
      let parts = partsByLocation.get(finding.location);
      if (parts === undefined) {
        parts = partsOf(value);
        partsByLocation.set(finding.location, parts);
      }
      for (const { part, link } of parts) {
        // A link's address is for the reader to follow; the server fetches what it embeds (`<img src>`), not that.
        if (link && finding.class === "ssrf") continue;
        const found = detector.detect(part);
        if (found !== undefined && (again === undefined || found.score > again.score)) again = found;
      }
    }
    if (again !== undefined && again.score >= threshold) judged.push({ ...again, location: finding.location });
  }
  return judged.sort((a, b) => b.score - a.score);
}

/** The value (not the key, which shares its location) at `location`, when that location is a rich-text place. */
function richTextValueAt(location: string, candidates: readonly Candidate[], places: readonly LocationPattern[]): Candidate | undefined {
  const segments = location.split(".");
  if (!places.some((place) => matchesPattern(place, segments))) return undefined;
  return candidates.find((c) => c.location === location && c.kind !== "query-key" && c.kind !== "body-key");
}

interface Part {
  readonly part: Candidate;
  /** The `href` of a link (`<a>`, `<area>`). */
  readonly link: boolean;
}

/** The markup's text (each tag read as a space) and its attribute values, each a candidate of the same place. */
function partsOf(value: Candidate): Part[] {
  const raw = value.raw;
  const parts: Part[] = [];
  let text = "";
  let from = 0;
  for (const tag of findTags(raw)) {
    text += `${raw.slice(from, tag.start)} `;
    from = tag.end;
    const anchor = tag.name === "a" || tag.name === "area";
    for (const attribute of tag.attributes) {
      if (attribute.value === "" || parts.length >= MAX_ATTRIBUTE_VALUES) continue;
      parts.push({ part: partCandidate(value, attribute.value), link: anchor && attribute.name === "href" });
    }
  }
  text += raw.slice(from);
  parts.unshift({ part: partCandidate(value, text), link: false });
  return parts;
}

function partCandidate(value: Candidate, part: string): Candidate {
  return { location: value.location, kind: value.kind, raw: part, canonical: canonicalize(part), name: value.name };
}
