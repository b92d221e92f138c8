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
  const stack: Node[] = [{ value: root, parent: undefined, segment: prefix, depth: 0, name: undefined }];
  while (stack.length > 0 && !sink.full) {
    const node = stack.pop() as Node;
    const { value, depth } = node;
    if (typeof value === "string") {
      if (sink.wants("body", value)) sink.add(locationOf(node), "body", value, node.name);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= sink.limits.maxDepth) {
      sink.truncated = true;
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = Math.min(value.length, sink.limits.maxValues) - 1; i >= 0; i--)
        stack.push({ value: value[i], parent: node, segment: String(i), depth: depth + 1, name: node.name });
      continue;
    }
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0 && !sink.full; i--) {
      const key = keys[i] as string;
      if (sink.wants("body-key", key)) sink.add(`${locationOf(node)}.${key}`, "body-key", key);
      const child = ownParse ? (value as Record<string, unknown>)[key] : ownDataValue(value, key);
      if (child !== undefined) stack.push({ value: child, parent: node, segment: key, depth: depth + 1, name: key });
    }
  }
}

function ownDataValue(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor && "value" in descriptor ? descriptor.value : undefined;
}
