import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Decision } from "@parapet/core";
import fc from "fast-check";
import { isInertSvg, withoutInertSvgImages } from "../src/detectors/xss/svg-images.js";
import { shieldDecisionOn } from "./helpers.js";

const SVG_NS = 'xmlns="http://www.w3.org/2000/svg"';

/** Drawings as icon sets and editors write them. */
const DRAWINGS: Record<string, string> = {
  strokeIcon: `<svg ${SVG_NS} width="24" height="24" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"><circle cx="12" cy="12" r="10"></circle><line x1="12" y1="8" x2="12" y2="12"></line><polyline points="8 12 12 16 16 12"/></svg>`,
  xmlDeclarationAndDoctype: `<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n<!-- Generator: a drawing tool -->\n<svg ${SVG_NS} version="1.1" viewBox="0 0 10 10"><rect width="10" height="10" fill="#c160ef"/></svg>`,
  gradientsAndReferences: `<svg ${SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 64 64"><defs><linearGradient id="a" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="#fff"/><stop offset="1" stop-color="#000" stop-opacity=".5"/></linearGradient><clipPath id="c"><path d="M0 0h64v64H0z"/></clipPath><filter id="f"><feGaussianBlur stdDeviation="2"/><feOffset dx="1"/></filter></defs><g clip-path="url(#c)" filter="url(#f)"><path fill="url(#a)" d="M32 4 60 60H4z"/><use xlink:href="#a" x="2"/></g></svg>`,
  styleElement: `<svg ${SVG_NS} viewBox="0 0 8 8"><style type="text/css"><![CDATA[ .cls-1{fill:#e6e6e6;} .cls-2{fill:url('#g');stroke:none} ]]></style><rect class="cls-1" width="8" height="8"/><text x="1" y="6" style="font-family: Arial; font-size: 4px">Hi &amp; bye</text></svg>`,
  editorMetadata: `<svg ${SVG_NS} xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:cc="http://creativecommons.org/ns#" xmlns:dc="http://purl.org/dc/elements/1.1/" inkscape:version="1.3"><sodipodi:namedview pagecolor="#ffffff" inkscape:zoom="2"/><metadata><rdf:RDF><cc:Work rdf:about=""><dc:format>image/svg+xml</dc:format><dc:type rdf:resource="http://purl.org/dc/dcmitype/StillImage"/></cc:Work></rdf:RDF></metadata><g inkscape:label="Layer 1" inkscape:groupmode="layer"><ellipse cx="5" cy="5" rx="4" ry="3"/></g></svg>`,
  embeddedRaster: `<svg ${SVG_NS} viewBox="0 0 1 1"><image width="1" height="1" href="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="/></svg>`,
};

/** SVG documents that run script, load a document or hide from the reading: each must stay a denial. */
const ACTIVE: Record<string, string> = {
  onloadHandler: `<svg ${SVG_NS} onload="alert(1)"/>`,
  handlerOnShape: `<svg ${SVG_NS}><rect width="9" height="9" onmouseover="alert(1)"/></svg>`,
  scriptElement: `<svg ${SVG_NS}><script>alert(document.domain)</script></svg>`,
  prefixedScript: `<svg ${SVG_NS} xmlns:x="http://www.w3.org/2000/svg"><x:script>alert(1)</x:script></svg>`,
  underscorePrefixedScript: `<svg ${SVG_NS} xmlns:_="http://www.w3.org/2000/svg"><_:script>alert(1)</_:script></svg>`,
  scriptLink: `<svg ${SVG_NS} xmlns:xlink="http://www.w3.org/1999/xlink"><a xlink:href="javascript:alert(1)"><rect width="9" height="9"/></a></svg>`,
  entityEncodedUseHref: `<svg ${SVG_NS}><use href="&#x6a;avascript:alert(1)"/></svg>`,
  externalUse: `<svg ${SVG_NS}><use href="https://evil.example/sprite.svg#x"/></svg>`,
  nestedSvgDataUrl: `<svg ${SVG_NS}><image href="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"/></svg>`,
  foreignObject: `<svg ${SVG_NS}><foreignObject width="9" height="9"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"></iframe></foreignObject></svg>`,
  animatedHref: `<svg ${SVG_NS}><a><animate attributeName="href" values="javascript:alert(1)"/><text y="9">x</text></a></svg>`,
  setHandler: `<svg ${SVG_NS}><set attributeName="onmouseover" to="alert(1)"/></svg>`,
  handlerElement: `<svg ${SVG_NS}><handler type="application/ecmascript">alert(1)</handler></svg>`,
  entityDeclaration: `<!DOCTYPE svg [<!ENTITY x "&#60;script&#62;alert(1)&#60;/script&#62;">]><svg ${SVG_NS}>&x;</svg>`,
  stylesheetInstruction: `<?xml-stylesheet href="https://evil.example/x.xsl" type="text/xsl"?><svg ${SVG_NS}/>`,
  styleImport: `<svg ${SVG_NS}><style>@import url(https://evil.example/x.css);</style></svg>`,
  styleScriptUrl: `<svg ${SVG_NS}><style>svg{background:url("javascript:alert(1)")}</style></svg>`,
  styleExternalUrl: `<svg ${SVG_NS}><rect style="fill:url(https://evil.example/track)"/></svg>`,
  unclosedStyle: `<svg ${SVG_NS}><style>.a{fill:red}`,
  quoteSwallowsScript: `<svg ${SVG_NS}><!-- <x a=" --><script>alert(1)</script><!-- " --></svg>`,
  uppercaseScript: `<svg ${SVG_NS}><SCRIPT>alert(1)</SCRIPT></svg>`,
  unknownElement: `<svg ${SVG_NS}><svg.x onclick="alert(1)"/></svg>`,
  attributeFlood: `<svg ${SVG_NS}><rect ${Array.from({ length: 70 }, (_, i) => `a${i}="1"`).join(" ")} onmouseover="alert(1)"/></svg>`,
  noSvgAtAll: "<html><body onload=alert(1)>",
};

function base64(text: string): string {
  return Buffer.from(text, "latin1").toString("base64");
}

function dataUrl(svg: string): string {
  return `data:image/svg+xml;base64,${base64(svg)}`;
}

/** A GET, or with a body a JSON POST, through a LIVE shield. */
function decide(request: { url: string; body?: string }): Promise<Decision> {
  const method = request.body === undefined ? "GET" : "POST";
  return shieldDecisionOn({ ...request, method, headers: { host: "app.test", "content-type": "application/json" } });
}

describe("SVG images as data URLs", () => {
  it("reads every drawing as inert", () => {
    for (const [name, svg] of Object.entries(DRAWINGS)) assert.equal(isInertSvg(svg), true, name);
  });

  it("reads no active document as inert", () => {
    for (const [name, svg] of Object.entries(ACTIVE)) assert.equal(isInertSvg(svg), false, name);
  });

  it("lets a drawing through as a logo in a JSON body and in a badge URL's query", async () => {
    for (const [name, svg] of Object.entries(DRAWINGS)) {
      const body = await decide({ url: "/api/profile", body: JSON.stringify({ name: "Acme", logo: dataUrl(svg) }) });
      assert.equal(body.conclusion, "ALLOW", `${name} in a body: ${body.reason.message}`);
      const badge = `https://img.shields.io/badge/build-passing-green?logo=${encodeURIComponent(dataUrl(svg))}&labelColor=374151`;
      const query = await decide({ url: `/share?url=${encodeURIComponent(badge)}` });
      assert.equal(query.conclusion, "ALLOW", `${name} in a badge URL: ${query.reason.message}`);
    }
  });

  it("keeps parameters before the base64 marker (;charset=utf-8;base64,)", async () => {
    const logo = `data:image/svg+xml;charset=utf-8;base64,${base64(DRAWINGS.strokeIcon as string)}`;
    assert.equal((await decide({ url: "/api/profile", body: JSON.stringify({ logo }) })).conclusion, "ALLOW");
  });

  it("denies every active document as XSS, in a body and in a query", async () => {
    for (const [name, svg] of Object.entries(ACTIVE)) {
      const body = await decide({ url: "/api/profile", body: JSON.stringify({ logo: dataUrl(svg) }) });
      assert.equal(body.conclusion, "DENY", `${name} in a body`);
      const query = await decide({ url: `/badge?logo=${encodeURIComponent(dataUrl(svg))}` });
      assert.equal(query.conclusion, "DENY", `${name} in a query`);
    }
  });

  it("denies a script a browser would decode past whitespace in the base64 body", async () => {
    // The browser strips whitespace from a base64 body: the script after the break is part of the image.
    const drawing = base64(`<svg ${SVG_NS}><rect width="1" height="1"/>`);
    const logo = `data:image/svg+xml;base64,${drawing} ${base64("  <script>alert(1)</script></svg>")}`;
    const decision = await decide({ url: "/api/profile", body: JSON.stringify({ logo }) });
    assert.equal(decision.conclusion, "DENY");
  });

  it("denies a body too long to read whole, as before", () => {
    const long = `<svg ${SVG_NS}>${'<rect width="1" height="1"/>'.repeat(3000)}</svg>`;
    const url = dataUrl(long);
    assert.equal(withoutInertSvgImages(url), url);
  });

  it("stays linear on the longest body it reads (hostile runs of tags, comments and quotes)", () => {
    // Generous bound: the point is "does not hang"; a quadratic reading of a 46 KB body took about half a second.
    const size = 46_000;
    const bodies = {
      unclosedStyles: `<svg>${"<style>".repeat(size / 7)}</style></svg>`,
      cdataStyles: `<svg>${"<style><![CDATA[".repeat(size / 16)}]]></style></svg>`,
      unclosedComments: `<svg>${"<!--".repeat(size / 4)}`,
      openTags: `<svg>${"<rect ".repeat(size / 6)}`,
      quotes: `<svg><rect a="${'"'.repeat(size)}`,
    };
    for (const [name, svg] of Object.entries(bodies)) {
      const started = performance.now();
      for (let i = 0; i < 10; i++) withoutInertSvgImages(dataUrl(svg));
      assert.ok(performance.now() - started < 1_000, `${name}: ${Math.round(performance.now() - started)} ms for 10`);
    }
  });

  it("blanks only the inert image out of a value holding several", () => {
    const inert = dataUrl(DRAWINGS.strokeIcon as string);
    const active = dataUrl(ACTIVE.onloadHandler as string);
    const out = withoutInertSvgImages(`a=${inert}&b=${active}`);
    assert.ok(!out.includes(inert) && out.includes(active), out);
  });

  it("never calls a drawing inert once any active construct is spliced into it (property)", () => {
    const drawings = Object.values(DRAWINGS);
    const actives = [
      "<script>alert(1)</script>",
      '<rect onclick="alert(1)"/>',
      '<a href="javascript:alert(1)"><text>x</text></a>',
      "<foreignObject><div/></foreignObject>",
      '<animate attributeName="href" to="javascript:alert(1)"/>',
      '<use href="//evil.example/x.svg#a"/>',
      "<style>@import 'x.css';</style>",
      '<?xml-stylesheet href="x.xsl"?>',
    ];
    fc.assert(
      fc.property(fc.constantFrom(...drawings), fc.constantFrom(...actives), fc.nat(), (drawing, active, at) => {
        // Splice the construct in at a tag boundary, where an XML parser would build it.
        const boundaries = [...drawing.matchAll(/>/g)].map((m) => (m.index as number) + 1);
        const cut = boundaries[at % boundaries.length] as number;
        return !isInertSvg(drawing.slice(0, cut) + active + drawing.slice(cut));
      }),
    );
  });
});
