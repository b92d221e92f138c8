import { type Request, type Response, Router } from "express";
import type { Checked } from "../validation.js";

// An in-memory demo list; bounded so a client cannot grow the heap forever.
const MAX_ENTRIES = 1_000;

/**
 * `GET /<name>` lists the entries as `{ <name>: [...] }`; `POST /<name>` checks the body with `check` (400 and its
 * message when it fails), refuses once the list is full (409), and answers 201 with the new entry and its id.
 */
export function boundedListRoutes<T extends object>(name: string, check: (input: unknown) => Checked<T>): Router {
  const router = Router();
  const entries: (T & { readonly id: number })[] = [];
  let nextId = 1;

  router.get(`/${name}`, function listEntries(_req: Request, res: Response) {
    res.json({ [name]: entries });
  });

  router.post(`/${name}`, function createEntry(req: Request, res: Response) {
    const checked = check(req.body);
    if (!checked.ok) return void res.status(400).json({ error: "Bad Request", reason: checked.error });
    if (entries.length >= MAX_ENTRIES) {
      return void res.status(409).json({ error: "Conflict", reason: `The list is full (${MAX_ENTRIES} ${name}).` });
    }
    const entry = { id: nextId++, ...checked.value };
    entries.push(entry);
    res.status(201).json(entry);
  });

  return router;
}
