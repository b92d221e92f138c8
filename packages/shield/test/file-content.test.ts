import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import type { Decision } from "@parapet/core";
import type { FileContentPolicy, ShieldReason } from "../src/index.js";
import { shield } from "../src/index.js";
import { shieldDecisionOn } from "./helpers.js";
import { fastestRunAsync } from "./time-bound.js";

const BOUNDARY = "----parapetFileContentTest7MA4";

interface Part {
  readonly name: string;
  readonly content: string;
  /** Absent for a plain field. */
  readonly filename?: string;
  readonly type?: string;
}

/** A multipart body written as a browser writes one: a file part names its file and type, a field neither. */
function multipart(parts: readonly Part[]): string {
  const written = parts.map(({ name, content, filename, type }) => {
    const disposition = `Content-Disposition: form-data; name="${name}"${filename === undefined ? "" : `; filename="${filename}"`}`;
    const typeLine = filename === undefined ? "" : `\r\nContent-Type: ${type ?? "application/octet-stream"}`;
    return `--${BOUNDARY}\r\n${disposition}${typeLine}\r\n\r\n${content}\r\n`;
  });
  return `${written.join("")}--${BOUNDARY}--\r\n`;
}

function upload(parts: readonly Part[], fileContent?: FileContentPolicy): Promise<Decision> {
  return shieldDecisionOn(
    {
      method: "POST",
      url: "/upload",
      headers: { host: "localhost", "content-type": `multipart/form-data; boundary=${BOUNDARY}` },
      body: multipart(parts),
    },
    fileContent === undefined ? {} : { inspect: { fileContent } },
  );
}

const file = (filename: string, content: string, type = "text/plain"): Part => ({ name: "file", filename, content, type });
const reasonOf = (decision: Decision) => decision.reason as ShieldReason;

/** Text files whose content, read as a parameter, is an attack: what code, scripts and SQL files are made of. */
const SOURCE_FILES: readonly Part[] = [
  file("deploy.sh", "#!/bin/sh\nset -e\ncd /srv/app && git pull\nrm -rf node_modules; npm ci\ncurl -fsS http://127.0.0.1:8080/health\n"),
  file("migrate.sql", "DROP TABLE IF EXISTS users;\nCREATE TABLE users (id INT, name TEXT);\nSELECT * FROM users WHERE 1=1 -- all\n"),
  file("fetch.py", "import os\nos.system('ls -la /etc/passwd')\nopen('../../config.yml').read()\n", "text/x-python"),
  file("notes.md", "# Notes\n\n```js\ndocument.write('<img src=x onerror=alert(1)>');\n```\n", "text/markdown"),
  file("server.js", 'const { exec } = require(\'child_process\');\nexec("cat " + req.query.f + "; rm -rf /tmp/x");\n', "text/javascript"),
];

describe("uploaded file content, by default (fileContent: by-kind)", () => {
  it("stores source code, scripts, SQL and Markdown files without reading them as parameters", async () => {
    for (const part of SOURCE_FILES) {
      const decision = await upload([part]);
      assert.equal(decision.conclusion, "ALLOW", `${part.filename}: ${JSON.stringify(decision.reason)}`);
    }
  });

  it("still reads the same text sent as a field, and every file name", async () => {
    for (const part of SOURCE_FILES) {
      const decision = await upload([{ name: "comment", content: part.content }]);
      assert.equal(decision.conclusion, "DENY", `field with the content of ${part.filename}`);
      assert.equal(reasonOf(decision).location, "body.comment");
    }
    const climbing = await upload([file("../../../etc/cron.d/job", "* * * * * root true\n")]);
    assert.equal(reasonOf(climbing).location, "body.file.filename");
    const script = await upload([file("avatar.php", "hello")]);
    assert.equal(reasonOf(script).class, "file-upload");
  });

  it("reads CSV and JSON files as the data an import makes of them, for every class", async () => {
    const csv = await upload([file("contacts.csv", "name,email\nO'Brien,ob@example.com\n1' OR '1'='1,x@example.com\n", "text/csv")]);
    assert.equal(reasonOf(csv).class, "sqli");
    assert.equal(reasonOf(csv).location, "body.file.2.name");

    const polluting = await upload([file("settings.json", '{"theme":"dark","__proto__":{"isAdmin":true}}', "application/json")]);
    assert.equal(reasonOf(polluting).class, "proto-pollution");
    // Typed as anything, a .json name makes it JSON; a field inside is read as a JSON body's field would be.
    const injected = await upload([file("export.json", '{"rows":[{"id":"1 UNION SELECT password FROM users--"}]}', "text/plain")]);
    assert.equal(reasonOf(injected).class, "sqli");
    assert.equal(reasonOf(injected).location, "body.file.rows.0.id");

    const plain = await upload([file("contacts.csv", "name,email\nO'Brien,ob@example.com\n", "text/csv")]);
    assert.equal(plain.conclusion, "ALLOW");
  });

  it("reads a JSON file that does not parse as one value", async () => {
    const decision = await upload([file("broken.json", "{\"id\": \"1' OR '1'='1\"", "application/json")]);
    assert.equal(reasonOf(decision).class, "sqli");
    assert.equal(reasonOf(decision).location, "body.file");
  });

  it("reads a page (HTML, SVG, XML) for script, and only for script", async () => {
    const page = await upload([file("index.html", "<!doctype html><title>Hi</title><script>fetch('/api/me')</script>", "text/html")]);
    assert.equal(reasonOf(page).class, "xss");
    assert.equal(reasonOf(page).location, "body.file");
    const handler = await upload([
      file("logo.svg", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>', "image/svg+xml"),
    ]);
    assert.equal(reasonOf(handler).class, "xss");

    // Text about SQL or shells in a page runs nothing in a browser.
    const article =
      "<!doctype html><html><body><p>Run <code>SELECT * FROM users WHERE 1=1 --</code> then <code>rm -rf /tmp/x; cat /etc/passwd</code></p></body></html>";
    assert.equal((await upload([file("howto.html", article, "text/html")])).conclusion, "ALLOW");
  });

  it("lets a drawing through: an SVG of shapes, text and gradients runs nothing", async () => {
    const drawing =
      '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
      '<defs><linearGradient id="g"><stop offset="0" stop-color="#f80"/><stop offset="1" stop-color="#fc0"/></linearGradient></defs>' +
      '<title>Logo</title><circle cx="32" cy="32" r="30" fill="url(#g)"/><text x="32" y="38" text-anchor="middle">P</text></svg>';
    assert.equal((await upload([file("logo.svg", drawing, "image/svg+xml")])).conclusion, "ALLOW");
    const linking = drawing.replace("<title>", '<a href="javascript:alert(1)"><circle r="1"/></a><title>');
    assert.equal(reasonOf(await upload([file("logo.svg", linking, "image/svg+xml")])).class, "xss");
  });

  it("takes a file for a page by its type, its name or how it starts: a relabelled page is still read", async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>';
    for (const [filename, type] of [
      ["photo.png", "image/png"],
      ["notes.txt", "text/plain"],
      ["page.html", "text/plain"],
      ["data", "image/svg+xml"],
      ["page.HTML. ", "application/octet-stream"],
    ] as const) {
      const content = filename === "notes.txt" ? `\uFEFF\n <!DOCTYPE html><script>alert(1)</script>` : svg;
      const decision = await upload([file(filename, content, type)]);
      assert.equal(reasonOf(decision)?.class, "xss", `${filename} as ${type}`);
    }
  });

  it("does not let an uploaded page hide a field with the same text from the other detectors", async () => {
    const value = "1' OR '1'='1";
    const decision = await upload([file("a.html", value, "text/html"), { name: "q", content: value }]);
    assert.equal(reasonOf(decision).class, "sqli");
    assert.equal(reasonOf(decision).location, "body.q");
  });

  it("stores the shield's own source code and this repository's documentation", async () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
    const sources = collectFiles(join(root, "src", "detectors"), ".ts");
    const docs = [join(root, "..", "..", "README.md"), ...collectFiles(join(root, "docs"), ".md")];
    assert.ok(sources.length > 50, `found ${sources.length} detector sources`);
    let deniedAsText = 0;
    for (const path of [...sources, ...docs]) {
      const part = file(path.slice(path.lastIndexOf("/") + 1), readFileSync(path, "utf8"), "text/plain");
      const decision = await upload([part]);
      assert.equal(decision.conclusion, "ALLOW", `${path}: ${JSON.stringify(decision.reason).slice(0, 300)}`);
      if ((await upload([part], "text")).conclusion === "DENY") deniedAsText++;
    }
    // The same files read as parameters are attacks: the default is what lets them through.
    assert.ok(deniedAsText > sources.length / 2, `only ${deniedAsText} of ${sources.length + docs.length} denied as text`);
  });
});

describe("the other file-content policies", () => {
  it('"text" reads every text file as one value, for every class', async () => {
    for (const part of SOURCE_FILES) {
      const decision = await upload([part], "text");
      assert.equal(decision.conclusion, "DENY", part.filename);
      assert.equal(reasonOf(decision).location, "body.file");
    }
  });

  it('"none" reads no content, not even CSV, but still every file name and field', async () => {
    const csv = file("contacts.csv", "name\n1' OR '1'='1\n", "text/csv");
    const page = file("a.html", "<script>alert(1)</script>", "text/html");
    for (const part of [csv, page]) assert.equal((await upload([part], "none")).conclusion, "ALLOW", part.filename);
    assert.equal(reasonOf(await upload([file("../../.ssh/authorized_keys", "ssh-ed25519 AAAA")], "none")).location, "body.file.filename");
    assert.equal(reasonOf(await upload([{ name: "q", content: "<script>alert(1)</script>" }], "none")).location, "body.q");
  });

  it("refuses an unknown policy, naming the ones there are", () => {
    assert.throws(
      () => shield({ mode: "LIVE", inspect: { fileContent: "all" as FileContentPolicy } }),
      /`inspect.fileContent` must be "by-kind" \(the default\), "text" or "none", not "all"/,
    );
  });
});

/** The files under `dir` (at any depth) whose names end with `extension`. */
function collectFiles(dir: string, extension: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((name) => name.endsWith(extension))
    .map((name) => join(dir, name));
}

describe("what runs in an uploaded page", () => {
  const page = (content: string, filename = "page.svg") => upload([file(filename, content, "text/plain")]);
  const SVG_NS = 'xmlns="http://www.w3.org/2000/svg"';

  it("denies code elements, handlers, script URLs and scripted frames", async () => {
    for (const content of [
      "<html><body><img src=x onerror=alert(1)></body></html>",
      '<html><body><a href="jav&#x61;script:alert(1)">home</a></body></html>',
      '<html><body><iframe srcdoc="<script>alert(1)</script>"></iframe></body></html>',
      '<html><body><object data="evil.swf"></object></body></html>',
      `<svg ${SVG_NS}><script>alert(1)</script></svg>`,
      `<svg ${SVG_NS}><foreignObject><body xmlns="http://www.w3.org/1999/xhtml" onload="alert(1)"/></foreignObject></svg>`,
    ]) {
      assert.equal(reasonOf(await page(content, "page.html"))?.class, "xss", content);
    }
  });

  it("lets through what pages are made of: styles, images, links, forms and frames of other pages", async () => {
    const content =
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>Docs</title><link rel="stylesheet" href="style.css">' +
      "<style>body { font: 14px sans-serif } pre { background: #eee }</style></head><body><h1>Install</h1>" +
      '<p>See <a href="https://example.com/docs">the docs</a>.</p><img src="diagram.png" alt="diagram">' +
      '<iframe src="https://www.youtube.com/embed/abc"></iframe><form action="/search"><input name="q"></form>' +
      "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt; is what an attack looks like; SELECT * FROM t WHERE 1=1</code></pre>" +
      "</body></html>";
    const decision = await page(content, "docs.html");
    assert.equal(decision.conclusion, "ALLOW", JSON.stringify(decision.reason));
  });

  it("sees what an XML parser builds that a tag reading does not", async () => {
    const hostile = [
      // A script element behind a prefix bound to XHTML.
      `<svg ${SVG_NS}><_:script xmlns:_="http://www.w3.org/1999/xhtml">alert(1)</_:script></svg>`,
      // An entity whose value becomes markup when it is declared, then expanded in the drawing.
      `<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]><svg ${SVG_NS}>&x;</svg>`,
      `<!DOCTYPE svg [<!ENTITY % p '<!ENTITY x "y">'>]><svg ${SVG_NS}/>`,
      // A default handler for every <svg>, and an external entity (XXE when the server parses the file).
      `<!DOCTYPE svg [<!ATTLIST svg onload CDATA "alert(1)">]><svg ${SVG_NS}/>`,
      `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]><r>&x;</r>`,
    ];
    for (const content of hostile) assert.equal(reasonOf(await page(content))?.class, "xss", content);

    // Illustrator writes namespace URIs as entities: plain text, no markup.
    const illustrator = `<?xml version="1.0"?><!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd" [
  <!ENTITY ns_svg "http://www.w3.org/2000/svg"> <!ENTITY ns_xlink "http://www.w3.org/1999/xlink">
]><svg xmlns="&ns_svg;" xmlns:xlink="&ns_xlink;"><path d="M0 0h10v10z"/></svg>`;
    assert.equal((await page(illustrator)).conclusion, "ALLOW");
  });

  it("reads a large page in time linear in its size", async () => {
    // Hostile shapes for each reading: open tags, prefixes, unterminated entity values and DTD declarations.
    for (const unit of ["<a:", "<!ENTITY x '", "<!ATTLIST a ", "<a b='", "<<<"]) {
      const content = unit.repeat(Math.floor(60_000 / unit.length));
      const ms = await fastestRunAsync(() => page(content, "big.html"), 500);
      assert.ok(ms < 500, `${JSON.stringify(unit)} × ${content.length / unit.length}: ${ms.toFixed(0)} ms`);
    }
  });
});
