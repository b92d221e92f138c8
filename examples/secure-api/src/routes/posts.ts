import { type Request, type Response, Router } from "express";
import { checkPost } from "../validation.js";

interface Post {
  readonly id: number;
  readonly title: string;
  /** HTML from a rich-text editor: the shield's `richText` place `body.content` (see protection.ts). */
  readonly content: string;
}

// An in-memory demo list; bounded so a client cannot grow the heap forever.
const MAX_POSTS = 1_000;

/**
 * Posts written in a rich-text editor. The shield lets their formatting through (`richText: ["body.content"]`) and
 * still denies script in them; a client that renders `content` must still sanitize it (the shield judges requests,
 * not what a page does with stored HTML).
 */
export function postRoutes(): Router {
  const router = Router();
  const posts: Post[] = [];
  let nextId = 1;

  router.get("/posts", function listPosts(_req: Request, res: Response) {
    res.json({ posts });
  });

  router.post("/posts", function createPost(req: Request, res: Response) {
    const checked = checkPost(req.body);
    if (!checked.ok) return void res.status(400).json({ error: "Bad Request", reason: checked.error });
    if (posts.length >= MAX_POSTS) {
      return void res.status(409).json({ error: "Conflict", reason: `The list is full (${MAX_POSTS} posts).` });
    }
    const post: Post = { id: nextId++, ...checked.value };
    posts.push(post);
    res.status(201).json(post);
  });

  return router;
}
