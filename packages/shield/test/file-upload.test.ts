import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileUploadDetector } from "../src/detectors/file-upload/index.js";
import type { ShieldReason } from "../src/index.js";
import { BLOCKS, describeRules, scoreOf, shieldDecision } from "./helpers.js";

const asPartName = (value: string) => scoreOf(fileUploadDetector, value, "body", "filename");

describeRules("file upload names", asPartName, {
  "a server-page script, however its name is dressed": {
    attacks: [
      "shell.php",
      "a.php5",
      "x.phtml",
      "fda.php907...",
      "photo. php",
      "photo.php ",
      "a.jsp",
      "foo.jspx.",
      "x.aspx",
      "dir/evil.phar",
    ],
    benign: ["photo.jpg", "report.pdf", "php-notes.txt", "my.photos.png"],
  },
  "a second extension Apache still honours": {
    attacks: ["test.php.jpg", "test.phar .png", "graph.php.svg.txt.md"],
    benign: ["holiday.2024.jpg", "archive.tar.gz"],
  },
  "a per-directory config, a secret's place or a PHP session file": {
    attacks: [
      ".htaccess",
      "web.config",
      ".user.ini",
      "authorized_keys",
      ".env",
      "sess_abc123def456ghi789jkl",
      "/tmp/sess_1234567890abcdefghij",
    ],
    benign: ["htaccess-notes.txt", "env.txt", "session_notes.txt", "sess_short"],
  },
});

describe("file upload places", () => {
  it("reads only upload file names: a field called otherwise, or a query, is some other text", () => {
    assert.equal(scoreOf(fileUploadDetector, "shell.php", "body", "title"), 0);
    assert.equal(scoreOf(fileUploadDetector, "shell.php", "query", "filename"), 0);
  });

  it("blocks a script in a multipart part's file name and in X-Filename, however the header is spelled", async () => {
    const form = new FormData();
    form.append("avatar", new Blob(["just some bytes"], { type: "image/jpeg" }), "avatar.php");
    const multipart = await shieldDecision(new Request("http://app.test/upload", { method: "POST", body: form }));
    assert.equal((multipart.reason as ShieldReason).class, "file-upload");
    for (const header of ["X-Filename", "X_Filename", "X-File-Name"]) {
      const decision = await shieldDecision(
        new Request("http://app.test/upload", { method: "PUT", headers: { [header]: "a.php" }, body: "x" }),
      );
      assert.equal((decision.reason as ShieldReason | undefined)?.class, "file-upload", header);
    }
    const image = await shieldDecision(
      new Request("http://app.test/upload", { method: "PUT", headers: { "X-Filename": "cat.png" }, body: "x" }),
    );
    assert.equal(image.conclusion, "ALLOW");
  });

  it("reads long runs of spaces and dots as a filesystem does", () => {
    assert.ok(asPartName(`shell${" ".repeat(400)}. php${" .".repeat(40)}`) >= BLOCKS);
    assert.ok(asPartName(`notes${" ".repeat(400)}x.txt`) < BLOCKS);
  });

  it("scores below the blocking line nothing it was not sure of", () => {
    assert.ok(asPartName("index.html") < BLOCKS);
  });
});
