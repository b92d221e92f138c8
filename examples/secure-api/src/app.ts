import type { Decision } from "@parapet/core";
import { parapetMiddleware } from "@parapet/express";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import { jsonErrors, notFound } from "./errors.js";
import { createProtection, type ProtectionOptions } from "./protection.js";
import { authRoutes } from "./routes/auth.js";
import { itemRoutes } from "./routes/items.js";
import { postRoutes } from "./routes/posts.js";
import { securityHeaders } from "./security-headers.js";
import { createUserStore, type UserStoreOptions } from "./users.js";

export interface AppOptions extends ProtectionOptions {
  readonly users?: UserStoreOptions;
  /** Where unexpected errors are reported; default console.error. */
  readonly log?: (message: string, error: unknown) => void;
  /** Told each response's status with its decision, e.g. for the decision log's 404 counts. */
  readonly onResponse?: (decision: Decision, status: number) => void;
}

/** Calls `onResponse` once a response is sent (denials included), with the last decision made for it. */
function reportStatus(onResponse: (decision: Decision, status: number) => void) {
  return function reportStatusOnFinish(req: Request, res: Response, next: NextFunction): void {
    res.on("finish", () => {
      if (req.parapet) onResponse(req.parapet, res.statusCode);
    });
    next();
  };
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
  if (options.onResponse) app.use(reportStatus(options.onResponse));
  // Routes with a limit of their own come first: their client is the site
  // rules plus that limit, so each request is decided (and logged) once.
  app.get("/api/hello", parapetMiddleware(protection.hello), (_req, res) => {
    res.json({ message: "Hello" });
  });
  app.use("/api", authRoutes(protection, users));
  // Every other request, known route or not, goes through the site rules:
  // scanners probing for /.env or /wp-admin are exactly what bot detection,
  // the shield and the decision log should see.
  app.use(parapetMiddleware(protection.site));

  app.get("/api/health", (_req, res) => {
    res.json({ status: "ok" });
  });
  app.use("/api", itemRoutes());
  app.use("/api", postRoutes());

  app.use(notFound());
  app.use(jsonErrors(log));
  return { app, close: () => protection.close() };
}
