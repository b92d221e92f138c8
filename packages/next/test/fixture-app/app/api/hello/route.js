import { withParapet } from "@parapet/next";
import { protectedClient } from "../../../lib/clients.js";

export const GET = withParapet(protectedClient(), async () => Response.json({ message: "hello" }));
