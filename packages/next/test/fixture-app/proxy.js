// Next 16's proxy.js (formerly middleware.js) runs in Node's runtime; it guards /mw/* only.
import { parapetMiddleware } from "@parapet/next";
import { protectedClient } from "./lib/clients.js";

export const proxy = parapetMiddleware(protectedClient());

export const config = { matcher: "/mw/:path*" };
