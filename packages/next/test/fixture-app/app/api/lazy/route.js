import { parapet } from "@parapet/core";
import { withParapet } from "@parapet/next";
import { bodyRule, LAZY_BODY_LIMIT, lazyEchoResponse } from "@parapet/node/test-suite";

// Reads the body inside protect() with a small limit, then again from inside the streaming response, after the handler returned.
const client = parapet({ rules: [bodyRule()], maxBodyBytes: LAZY_BODY_LIMIT });

export const POST = withParapet(client, async (request) => lazyEchoResponse(() => request.text()));
