import type { Router } from "express";
import { checkItem } from "../validation.js";
import { boundedListRoutes } from "./bounded-list.js";

/** `GET/POST /items`: a list of `{ name, quantity }`. */
export function itemRoutes(): Router {
  return boundedListRoutes("items", checkItem);
}
