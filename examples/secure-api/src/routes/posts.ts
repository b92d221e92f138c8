import type { Router } from "express";
import { checkPost } from "../validation.js";
import { boundedListRoutes } from "./bounded-list.js";

/**
 * `GET/POST /posts`: posts written in a rich-text editor, `{ title, content }` with `content` HTML. The shield lets
 * its formatting through (`richText: ["body.content"]`, see protection.ts) and still denies script in it; a client
 * that renders `content` must still sanitize it (the shield judges requests, not what a page does with stored HTML).
 */
export function postRoutes(): Router {
  return boundedListRoutes("posts", checkPost);
}
