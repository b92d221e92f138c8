import type { CandidateSink } from "./limits.js";

/** One node of the walk; its location is built only if one of its values is inspected. */
interface Node {
  readonly value: unknown;
  readonly parent: Node | undefined;
  readonly segment: string;
  readonly depth: number;
  readonly name: string | undefined;
}

function locationOf(node: Node): string {
  let location = node.segment;
  for (let up = node.parent; up !== undefined; up = up.parent) location = `${up.segment}.${location}`;
  return location;
}

/**
 * Walks a parsed JSON value: every key (`__proto__`, `$where` attack through
 * keys) and every string leaf. Numbers and booleans cannot carry a payload.
 * Depth is bounded, and the walk is iterative so deep nesting cannot overflow
 * the stack. Locations (`body.items.3.name`) are built only for values the
 * sink keeps: a 10 KB array repeats the same keys hundreds of times.
 * `ownParse` says the value came from our own `JSON.parse`, which makes no
 * getters; a framework's parsed body is read through property descriptors
 * so that no getter it attached runs.
 */
export function addJson(root: unknown, prefix: string, sink: CandidateSink, ownParse = false): void {
  const top: Node = { value: root, parent: undefined, segment: prefix, depth: 0, name: undefined };
  if (typeof root === "string") {
    addString(sink, top, undefined, root, undefined);
    return;
  }
  const stack: Node[] = [top];
  while (stack.length > 0 && !sink.full) {
    const node = stack.pop() as Node;
    const { value, depth } = node;
    if (value === null || typeof value !== "object") continue;
    if (depth >= sink.limits.maxDepth) {
      sink.truncated = true;
      continue;
    }
    // A container's keys and string leaves are added on the spot, without a node (a 10 KB array holds hundreds
    // of them); its nested containers follow, in document order (pushed last first).
    if (Array.isArray(value)) {
      const length = Math.min(value.length, sink.limits.maxValues);
      if (length < value.length) sink.truncated = true;
      for (let i = 0; i < length; i++) {
        if (stopWhenFull(sink)) break;
        const child: unknown = value[i];
        if (typeof child === "string") addString(sink, node, i, child, node.name);
      }
      for (let i = length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (child !== null && typeof child === "object")
          stack.push({ value: child, parent: node, segment: String(i), depth: depth + 1, name: node.name });
      }
      continue;
    }
    const keys = Object.keys(value);
    for (let i = 0; i < keys.length; i++) {
      if (stopWhenFull(sink)) break;
      const key = keys[i] as string;
      if (sink.wants("body-key", key)) sink.add(`${locationOf(node)}.${key}`, "body-key", key);
      const child = ownParse ? (value as Record<string, unknown>)[key] : ownDataValue(value, key);
      if (typeof child === "string") addString(sink, node, key, child, key);
    }
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i] as string;
      const child = ownParse ? (value as Record<string, unknown>)[key] : ownDataValue(value, key);
      if (child !== null && typeof child === "object")
        stack.push({ value: child, parent: node, segment: key, depth: depth + 1, name: key });
    }
  }
  // Containers left unvisited when a limit was reached: the request was only partly inspected.
  if (stack.length > 0) sink.truncated = true;
}

/** True once the sink takes no more values; the request is then marked as partly inspected. */
function stopWhenFull(sink: CandidateSink): boolean {
  if (!sink.full) return false;
  sink.truncated = true;
  return true;
}

/** A string leaf under `parent` (at `segment`, or the root itself when undefined); its location is built only if the sink keeps it. */
function addString(sink: CandidateSink, parent: Node, segment: string | number | undefined, value: string, name: string | undefined): void {
  if (!sink.wants("body", value)) return;
  const location = segment === undefined ? locationOf(parent) : `${locationOf(parent)}.${segment}`;
  sink.add(location, "body", value, name);
}

function ownDataValue(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor && "value" in descriptor ? descriptor.value : undefined;
}
