import { type Request, type Response, Router } from "express";
import { checkItem } from "../validation.js";

interface Item {
  readonly id: number;
  readonly name: string;
  readonly quantity: number;
}

// An in-memory demo list; bounded so a client cannot grow the heap forever.
const MAX_ITEMS = 1_000;

export function itemRoutes(): Router {
  const router = Router();
  const items: Item[] = [];
  let nextId = 1;

  router.get("/items", function listItems(_req: Request, res: Response) {
    res.json({ items });
  });

  router.post("/items", function createItem(req: Request, res: Response) {
    const checked = checkItem(req.body);
    if (!checked.ok) return void res.status(400).json({ error: "Bad Request", reason: checked.error });
    if (items.length >= MAX_ITEMS) {
      return void res.status(409).json({ error: "Conflict", reason: `The list is full (${MAX_ITEMS} items).` });
    }
    const item: Item = { id: nextId++, ...checked.value };
    items.push(item);
    res.status(201).json(item);
  });

  return router;
}
