import { concatBytes } from "@parapet/core";
/**
 * Request bodies sent with a Content-Encoding (RFC 9110 §8.4) are inspected
 * decoded: body-parser (express.json(), urlencoded(), text()) inflates gzip,
 * deflate and br by default, so an app reads the attack that the compressed
 * bytes hide from a shield reading them as they are.
 *
 * The shield runs where there is no node:zlib (edge runtimes), so gzip and
 * deflate go through the Web `DecompressionStream`, there everywhere; br and
 * zstd, which it lacks, through node:zlib when the runtime has it.
 */

/** The codings applied, in the order the client applied them; `identity` dropped. */
export function contentCodings(header: string | undefined): readonly string[] {
  if (header === undefined) return NONE;
  const codings = header
    .toLowerCase()
    .split(",")
    .map((coding) => coding.trim())
    .filter((coding) => coding !== "" && coding !== "identity");
  return codings.length === 0 ? NONE : codings;
}

const NONE: readonly string[] = [];

/**
 * Stacked codings decoded at most: body-parser takes one, RFC 9110 allows a
 * list; each layer is bounded, but a list is the client's to make long.
 */
export const MAX_CODINGS = 3;

export type Decoded =
  /** `bytes`: the decoded body, or its start when it decodes to more than the bound. */
  | { readonly ok: true; readonly bytes: Uint8Array }
  /** `bytes`: what decoded before the failure (maybe nothing), or the body as it came when no decoder applies; `problem`: what failed, for the operator. */
  | { readonly ok: false; readonly bytes: Uint8Array; readonly problem: string };

/**
 * Undoes `codings` (last applied, first undone), each layer's output bounded
 * by `bound` bytes (plus the chunk that crossed it): a zip bomb costs what
 * that much output costs. `isPrefix`: `bytes` is only the start of the body
 * (it was cut), so running out of input is expected, not a failure.
 */
export async function decodeContent(bytes: Uint8Array, codings: readonly string[], bound: number, isPrefix: boolean): Promise<Decoded> {
  if (codings.length > MAX_CODINGS)
    return { ok: false, bytes, problem: `${codings.length} stacked Content-Encodings; the shield decodes at most ${MAX_CODINGS}` };
  let current = bytes;
  let prefix = isPrefix;
  for (let i = codings.length - 1; i >= 0; i--) {
    const coding = codings[i] as string;
    const transform = decoderFor(coding);
    if (transform === undefined)
      return {
        ok: false,
        bytes: current,
        problem: `Content-Encoding "${coding.slice(0, 40)}" is not one the shield decodes (${decodable()})`,
      };
    const layer = await inflate(current, transform, bound);
    // Nothing decodes: the bytes are not in this coding. An app's decoder fails on them too (body-parser answers
    // 400), and an app that reads them as they are reads what is inspected here. A body express.raw() inflated
    // already arrives so, its Content-Encoding header still set: denying it as undecodable would be a false alarm.
    if (layer.error !== undefined && layer.bytes.length === 0) continue;
    if (layer.error !== undefined && !prefix)
      // The engine's words where it has some (Node 24's DecompressionStream gives none).
      return {
        ok: false,
        bytes: layer.bytes,
        problem: `its ${coding} data is corrupt${layer.error ? ` (${layer.error.slice(0, 100)})` : ""}`,
      };
    current = layer.bytes;
    // Beyond the bound, or cut: the next layer decodes a start, and may run out of input.
    prefix ||= layer.bounded;
  }
  return { ok: true, bytes: current };
}

interface Transform {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
}

function decoderFor(coding: string): Transform | undefined {
  switch (coding) {
    case "gzip":
    case "x-gzip": // RFC 9110 §8.4.1.3: recipients treat it as gzip
      return webDecoder("gzip");
    case "deflate": // the zlib format (RFC 9110 §8.4.1.2), as body-parser's inflate reads it
      return webDecoder("deflate");
    case "br":
      return nodeDecoder("createBrotliDecompress");
    case "zstd":
      return nodeDecoder("createZstdDecompress");
    default:
      return undefined;
  }
}

function webDecoder(format: "gzip" | "deflate"): Transform | undefined {
  return typeof DecompressionStream === "function" ? new DecompressionStream(format) : undefined;
}

type NodeCodec = "createBrotliDecompress" | "createZstdDecompress";

interface NodeModules {
  readonly zlib: Partial<Record<NodeCodec, () => unknown>>;
  readonly stream: { readonly Duplex: { toWeb(duplex: unknown): unknown } };
}

let nodeModules: NodeModules | null | undefined;

/** node:zlib and node:stream, without an import that would break a bundle for an edge runtime; null where absent. */
function loadNodeModules(): NodeModules | null {
  if (nodeModules === undefined) {
    const { process } = globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } };
    const zlib = process?.getBuiltinModule?.("node:zlib") as NodeModules["zlib"] | undefined;
    const stream = process?.getBuiltinModule?.("node:stream") as NodeModules["stream"] | undefined;
    nodeModules = zlib && stream ? { zlib, stream } : null;
  }
  return nodeModules;
}

function nodeDecoder(codec: NodeCodec): Transform | undefined {
  const modules = loadNodeModules();
  const create = modules?.zlib[codec];
  if (!modules || typeof create !== "function") return undefined;
  // The same bridge node's own DecompressionStream is built on.
  return modules.stream.Duplex.toWeb(create()) as Transform;
}

function decodable(): string {
  const modules = loadNodeModules();
  const codings = ["gzip", "deflate"];
  if (typeof modules?.zlib.createBrotliDecompress === "function") codings.push("br");
  if (typeof modules?.zlib.createZstdDecompress === "function") codings.push("zstd");
  return `it decodes ${codings.join(", ")}`;
}

interface Layer {
  readonly bytes: Uint8Array;
  /** Output stopped at the bound, or at an error: `bytes` is a start. */
  readonly bounded: boolean;
  readonly error: string | undefined;
}

async function inflate(input: Uint8Array, transform: Transform, bound: number): Promise<Layer> {
  // A Blob holds a copy: no runtime's transform can touch the bytes the app will read.
  const reader = new Blob([input as Uint8Array<ArrayBuffer>]).stream().pipeThrough(transform).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) return { bytes: concatBytes(chunks, size), bounded: false, error: undefined };
      chunks.push(next.value);
      size += next.value.length;
      if (size > bound) {
        reader.cancel().catch(() => {});
        return { bytes: concatBytes(chunks, size), bounded: true, error: undefined };
      }
    }
  } catch (error) {
    return { bytes: concatBytes(chunks, size), bounded: true, error: error instanceof Error ? error.message : String(error) };
  }
}
