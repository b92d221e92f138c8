import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { traversalDetector } from "../src/detectors/traversal/index.js";
import { BLOCKS, scoreOf } from "./helpers.js";

describe("traversal: Windows paths in settings, regexes and URLs with a climb", () => {
  for (const [value, name] of [
    ["C:\\Users\\alice\\Documents", "path"],
    ["C:\\Program Files\\MyApp\\config", "installDir"],
    ["D:\\Projects\\site", "folder"],
    ["\\b\\w+@\\w+\\.com\\b", "pattern"],
    ["https://example.com/a/../b", "redirect"],
    ["https://example.com/a/../b", "src"],
  ] as const)
    it(`lets ${value} (${name}) through`, () => assert.ok(scoreOf(traversalDetector, value, "query", name) < BLOCKS, value));
  for (const [value, name] of [
    ["C:\\Windows\\win.ini", "path"],
    ["c:\\AppServ\\MySQL", "q"],
    ["/C:\\Program Files\\", "q"],
    ["c:\\Program Files\\Apache Group\\Apache\\logs\\access.log", "q"],
    ["../secret.txt", "dir"],
    ["https://example.com/../../../etc/passwd", "redirect"],
    ["/.git/config", "q"],
  ] as const)
    it(`blocks ${value} (${name})`, () => assert.ok(scoreOf(traversalDetector, value, "query", name) >= BLOCKS, value));
});
