import { parapetMiddleware } from "@parapet/express";
import express, { type Express } from "express";
import { jsonErrors, notFound } from "./errors.js";
import { createProtection, type ProtectionOptions } from "./protection.js";
import { authRoutes } from "./routes/auth.js";
import { itemRoutes } from "./routes/items.js";
import { securityHeaders } from "./security-headers.js";
import { createUserStore, type UserStoreOptions } from "./users.js";

export interface AppOptions extends ProtectionOptions {
  readonly users?: UserStoreOptions;
  /** Where unexpected errors are reported; default console.error. */
  readonly log?: (message: string, error: unknown) => void;
}

export interface SecureApi {
  readonly app: Express;
  /** Releases the Parapet clients (store, observers). */
  close(): Promise<void>;
}

// Every JSON body this API accepts is a few hundred bytes; 16 KB leaves room
// and keeps a flood of large bodies from costing parse time and memory.
const BODY_LIMIT = "16kb";

export function createApp(options: AppOptions = {}): SecureApi {
  const protection = createProtection(options);
  const users = createUserStore(options.users);
  const log = options.log ?? ((message, error) => console.error(message, error));

  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.use(securityHeaders());
  app.use(express.json({ limit: BODY_LIMIT }));

  app.get("/api/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.get("/api/hello", parapetMiddleware(protection.hello), (_req, res) => {
    res.json({ message: "Hello" });
  });
  app.use("/api", authRoutes(protection, users));
  app.use("/api", parapetMiddleware(protection.api), itemRoutes());

  app.use(notFound());
  app.use(jsonErrors(log));
  return { app, close: () => protection.close() };
}
