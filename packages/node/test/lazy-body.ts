/**
 * A handler that answers with a stream and reads the request body only later, from inside that stream (after the
 * handler returned): it must still get every byte, whether Parapet read the whole body or stopped at its limit.
 */
import assert from "node:assert/strict";

/** Parapet's body limit in these cases; LARGE_LAZY_BODY is well past it, SMALL_LAZY_BODY well under. */
export const LAZY_BODY_LIMIT = 16 * 1024;
export const SMALL_LAZY_BODY = "small body ".repeat(100);
export const LARGE_LAZY_BODY = "large body ".repeat(20_000);

/** Long enough for everything the adapter does after the handler returned. */
const LATER_MS = 20;

/** A streaming response that reads `readBody()` once the handler has long returned, and sends back its length. */
export function lazyEchoResponse(readBody: () => Promise<string>): Response {
  const encoder = new TextEncoder();
  return new Response(
    new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, LATER_MS));
        const text = await readBody().then(
          (body) => `read ${body.length} bytes`,
          (error: unknown) => `failed: ${(error as Error).message}`,
        );
        controller.enqueue(encoder.encode(text));
        controller.close();
      },
    }),
    { headers: { "content-type": "text/plain" } },
  );
}

/** Posts both bodies to `url` and checks the app read each one whole. */
export async function assertLazyBodiesArrive(url: string): Promise<void> {
  for (const body of [SMALL_LAZY_BODY, LARGE_LAZY_BODY]) {
    const response = await fetch(url, {
      method: "POST",
      body,
      headers: { "content-type": "text/plain" },
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), `read ${body.length} bytes`);
  }
}
