import { withParapet } from "@parapet/next";
import { bodyClient } from "../../../lib/clients.js";

export const POST = withParapet(bodyClient(), async (request) => Response.json({ received: await request.json() }));
