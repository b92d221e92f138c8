import { locationSegment } from "../reported.js";
import type { Container } from "./inspected-value.js";
import type { CandidateSink } from "./limits.js";

/** One container of the walk; its location is spelled out only if one of its values is read with its location (a finding). */
class Node implements Container {
  /** Built on first use: the records of an array share their parents' part of it. */
  #location: string | undefined = undefined;

  constructor(
    readonly value: unknown,
    readonly parent: Node | undefined,
    /** Its key, or its index in an array (turned into text only if a location is built). */
    readonly segment: string | number,
    readonly depth: number,
    readonly name: string | undefined,
  ) {}

  get location(): string {
    this.#location ??= this.parent === undefined ? String(this.segment) : `${this.parent.location}.${locationSegment(this.segment)}`;
    return this.#location;
  }
}

/** The path a deep merge follows from any object to Object.prototype, as one key (see reachesPrototype). */
const CONSTRUCTOR_PROTOTYPE = "constructor.prototype";

/**
 * Whether the value of a `constructor` key holds a `prototype` key: `{"constructor":{"prototype":{"isAdmin":true}}}`
 * is the lodash defaultsDeep payload (CVE-2019-10744). Each key read alone is an ordinary word (a product's
 * "prototype", a class's "constructor"), and repeats of `prototype` elsewhere in a body are dropped unread, so the
 * pair is handed to the detectors as one key path, at the `constructor` key.
 */
function reachesPrototype(child: unknown): boolean {
  return child !== null && typeof child === "object" && !Array.isArray(child) && Object.hasOwn(child, "prototype");
}

/**
 * Walks a parsed JSON value: every key (`__proto__`, `$where` attack through
 * keys) and every string leaf. Numbers and booleans cannot carry a payload.
 * Depth is bounded, and the walk is iterative so deep nesting cannot overflow
 * the stack. Locations (`body.items.3.name`) are spelled out only when read,
 * for a finding: a 10 KB array holds hundreds of values and repeats the same
 * keys hundreds of times.
 * `ownParse` says the value came from our own `JSON.parse`, which makes no
 * getters; a framework's parsed body is read through property descriptors
 * so that no getter it attached runs.
 */
export function addJson(root: unknown, prefix: string, sink: CandidateSink, ownParse = false): void {
  const top = new Node(root, undefined, prefix, 0, undefined);
  if (typeof root === "string") {
    addString(sink, top, undefined, root, undefined);
    return;
  }
  const stack: Node[] = [top];
  // The last object and array read. An array of records repeats their shape and many of their values (a status,
  // a currency, tags): a value equal to the one at the same place in the previous container is a repeat, counted
  // without a lookup in the sink, and the same keys in the same order are all repeats.
  let current = new Properties();
  let previous = new Properties();
  let previousArray: readonly unknown[] | undefined;
  const fast = ownParse && prototypeHasNoEnumerables();
  // The container read now. A container's first nested container is read right after it, so it is handed over
  // here rather than through the stack, and its Node is made only when one of its values or nested containers
  // needs its place: the `tags` array of each record, all repeats, then costs no Node.
  let value: unknown;
  let parent: Node | undefined;
  let segment: string | number = prefix;
  let depth = 0;
  let name: string | undefined;
  let node: Node | undefined;
  let handedOver = false;
  for (;;) {
    if (sink.full) break;
    if (handedOver) {
      handedOver = false;
      node = undefined;
    } else {
      const next = stack.pop();
      if (next === undefined) break;
      ({ value, parent, segment, depth, name } = next);
      node = next;
    }
    if (value === null || typeof value !== "object") continue;
    if (depth >= sink.limits.maxDepth) {
      sink.truncated = true;
      continue;
    }
    // A container's keys and string leaves are added on the spot, without a node (a 10 KB array holds hundreds
    // of them); its nested containers follow, in document order (pushed last first, the first one handed over).
    let first = -1;
    if (Array.isArray(value)) {
      const length = Math.min(value.length, sink.limits.maxValues);
      if (length < value.length) sink.truncated = true;
      const before = previousArray;
      previousArray = value;
      for (let i = 0; i < length; i++) {
        if (stopWhenFull(sink)) break;
        const child: unknown = value[i];
        if (typeof child !== "string") continue;
        if (before !== undefined && i < before.length && child === before[i]) sink.countRepeat(child);
        else if (sink.wants("body", child, name)) {
          node ??= new Node(value, parent, segment, depth, name);
          sink.addWantedIn(node, i, "body", child, name);
        }
      }
      for (let i = length - 1; i >= 0; i--) {
        const child: unknown = value[i];
        if (child === null || typeof child !== "object") continue;
        node ??= new Node(value, parent, segment, depth, name);
        if (first !== -1) stack.push(new Node(value[first], node, first, depth + 1, name));
        first = i;
      }
      if (first !== -1) {
        value = value[first];
        segment = first;
      }
    } else {
      const reused = previous;
      previous = current;
      current = reused;
      current.read(value, fast);
      const { keys, values, count } = current;
      const sameKeys = current.hasSameKeysAs(previous);
      for (let i = 0; i < count; i++) {
        if (stopWhenFull(sink)) break;
        const key = keys[i] as string;
        if (sameKeys) sink.countRepeat(key);
        else if (sink.wants("body-key", key)) {
          node ??= new Node(value, parent, segment, depth, name);
          sink.addWantedIn(node, key, "body-key", key);
        }
        const child = values[i];
        if (key === "constructor" && reachesPrototype(child) && sink.wants("body-key", CONSTRUCTOR_PROTOTYPE)) {
          node ??= new Node(value, parent, segment, depth, name);
          sink.addWantedIn(node, key, "body-key", CONSTRUCTOR_PROTOTYPE);
        }
        if (typeof child !== "string") continue;
        if (sameKeys && child === previous.values[i]) sink.countRepeat(child);
        else if (sink.wants("body", child, key)) {
          node ??= new Node(value, parent, segment, depth, name);
          sink.addWantedIn(node, key, "body", child, key);
        }
      }
      for (let i = count - 1; i >= 0; i--) {
        const child = values[i];
        if (child === null || typeof child !== "object") continue;
        node ??= new Node(value, parent, segment, depth, name);
        if (first !== -1) stack.push(new Node(values[first], node, keys[first] as string, depth + 1, keys[first]));
        first = i;
      }
      if (first !== -1) {
        value = values[first];
        segment = keys[first] as string;
        name = keys[first];
      }
    }
    if (first !== -1) {
      parent = node;
      depth++;
      handedOver = true;
    }
  }
  // Containers left unvisited when a limit was reached: the request was only partly inspected.
  if (stack.length > 0 || handedOver) sink.truncated = true;
}

/**
 * One object's own keys and values, read into arrays reused from object to
 * object (the walk keeps two: the current object and the previous one).
 */
class Properties {
  readonly keys: string[] = [];
  readonly values: unknown[] = [];
  count = 0;

  /**
   * `fast`: the object came from our own JSON.parse (plain data properties)
   * and Object.prototype has no enumerable property, so `for…in` yields
   * exactly the own keys, and V8 reads each value by its slot. Otherwise
   * every value is read through its descriptor: no getter runs.
   */
  read(value: object, fast: boolean): void {
    let count = 0;
    if (fast) {
      for (const key in value) {
        this.keys[count] = key;
        this.values[count] = (value as Record<string, unknown>)[key];
        count++;
      }
    } else {
      for (const key of Object.keys(value)) {
        this.keys[count] = key;
        this.values[count] = ownDataValue(value, key);
        count++;
      }
    }
    this.count = count;
  }

  /** Same keys in the same order (JSON.parse makes repeated keys one string: each comparison is one step). */
  hasSameKeysAs(other: Properties): boolean {
    if (this.count !== other.count || this.count === 0) return false;
    for (let i = 0; i < this.count; i++) if (this.keys[i] !== other.keys[i]) return false;
    return true;
  }
}

/** False when something (a polluted prototype) made an inherited property enumerable: `for…in` would then yield it. */
function prototypeHasNoEnumerables(): boolean {
  for (const _ in {}) return false;
  return true;
}

/** True once the sink takes no more values; the request is then marked as partly inspected. */
function stopWhenFull(sink: CandidateSink): boolean {
  if (!sink.full) return false;
  sink.truncated = true;
  return true;
}

/** A string leaf under `parent` (at `segment`, or the root itself when undefined); its location is spelled out only if it is read. */
function addString(sink: CandidateSink, parent: Node, segment: string | number | undefined, value: string, name: string | undefined): void {
  if (!sink.wants("body", value, name)) return;
  if (segment === undefined) sink.addWanted(parent.location, "body", value, name);
  else sink.addWantedIn(parent, segment, "body", value, name);
}

function ownDataValue(value: object, key: string): unknown {
  const descriptor = Object.getOwnPropertyDescriptor(value, key);
  return descriptor && "value" in descriptor ? descriptor.value : undefined;
}
