import type { CandidateSink } from "./limits.js";

/**
 * Walks a parsed JSON value: every key (`__proto__`, `$where` attack through
 * keys) and every string leaf. Numbers and booleans cannot carry a payload.
 * Depth is bounded, and the walk is iterative so deep nesting cannot overflow
 * the stack.
 */
export function addJson(root: unknown, prefix: string, sink: CandidateSink): void {
  const stack: { value: unknown; location: string; depth: number; name: string | undefined }[] = [
    { value: root, location: prefix, depth: 0, name: undefined },
  ];
  while (stack.length > 0 && !sink.full) {
    const { value, location, depth, name } = stack.pop()!;
    if (typeof value === "string") {
      sink.add(location, "body", value, name);
      continue;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= sink.limits.maxDepth) {
      sink.truncated = true;
      continue;
    }
    if (Array.isArray(value)) {
      for (let i = Math.min(value.length, sink.limits.maxValues) - 1; i >= 0; i--)
        stack.push({ value: value[i], location: `${location}.${i}`, depth: depth + 1, name });
      continue;
    }
    // Own keys only, read without invoking getters a framework may have attached.
    const keys = Object.keys(value);
    for (let i = keys.length - 1; i >= 0 && !sink.full; i--) {
      const key = keys[i] as string;
      const child = `${location}.${key}`;
      sink.add(child, "body-key", key);
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && "value" in descriptor) stack.push({ value: descriptor.value, location: child, depth: depth + 1, name: key });
    }
  }
}
