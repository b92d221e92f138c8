import { cmdiDetector } from "../src/detectors/cmdi/index.js";
import { codeInjectionDetector } from "../src/detectors/code-injection/index.js";
import { sqliDetector } from "../src/detectors/sqli/index.js";
import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { xssDetector } from "../src/detectors/xss/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// What support tickets, search boxes and forum posts send, next to the attacks of the same shape that must still be
// caught. Each rule is one cause of a false positive found on benign traffic written for the purpose.

describeRules("sqli: a quoted word of prose after OR", (value) => scoreOf(sqliDetector, value, "body", "message"), {
  "the operand is a literal holding a clause of prose": {
    attacks: ["admin' or 'x", "' or 'a", 'x" or "1', "1' or '1' and '1", "x' or 1=1"],
    benign: [`I'm not sure what "or" means in this context.`, `Does "or" mean either one here?`],
  },
});

describeRules("cmdi: a search naming a program with its version", (value) => scoreOf(cmdiDetector, value, "query", "q"), {
  "letters then a number are a word of technical prose": {
    attacks: ["ansible-vault decrypt secret", "aa-disable php-fpm", "base64 -d", "python3 -c 'import os'", "x; base64 decode"],
    benign: ["base64 decode", "base64 encode online", "base64 image", "python3 tutorial"],
  },
});

describeRules("cmdi: a function defined in code posted to a forum", (value) => scoreOf(cmdiDetector, value, "body", "content"), {
  "a named definition runs only when called, or when the value opens as a shell line": {
    attacks: [
      "f(){ f|f& };f",
      "bomb() { bomb | bomb & }; bomb",
      "x() { cat /etc/passwd; }\nx",
      "() { :; }; /bin/bash -c id",
      ";gcc10.1<<<void main(){}",
    ],
    benign: [
      'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}',
      'fun main() { println("Hi") }',
      "void setup() { Serial.begin(9600); } void loop() { }",
    ],
  },
});

describeRules("code injection: a Java class as a log prints it", (value) => scoreOf(codeInjectionDetector, value, "body", "description"), {
  "an exception type or a stack frame is no type hint": {
    attacks: [
      '{"@class":"java.util.HashMap"}',
      '["java.util.logging.FileHandler",{"pattern":"/tmp/x"}]',
      '{"@type":"com.sun.rowset.JdbcRowSetImpl"}',
      "javax.management.BadAttributeValueExpException",
    ],
    benign: [
      "java.lang.NullPointerException at com.example.Service.process(Service.java:88)",
      'Exception in thread "main" java.lang.IllegalStateException: boom',
      "java.io.IOException: Broken pipe",
      "at java.base/java.util.concurrent.ThreadPoolExecutor.runWorker(ThreadPoolExecutor.java:1136)",
    ],
  },
});

describeRules("xss: a function named by its empty parentheses in a sentence", (value) => scoreOf(xssDetector, value, "body", "comment"), {
  "an empty call followed by words is prose": {
    attacks: ["alert()", "alert();", "alert()//", "eval(atob('YWxlcnQoMSk='))", '";alert() and more'],
    benign: ["Stack trace attached; it fails in eval() on line 3.", "fetch() returns a promise", "use setTimeout() instead of a loop"],
  },
});

describeRules("ssrf: a local URL in a sentence that opens with I", (value) => scoreOf(ssrfDetector, value, "body", "message"), {
  "I and contractions open sentences too": {
    attacks: ["http://10.1.2.3:3128/", "a http://127.0.0.1:6379/ x y z", "i http://169.254.169.254/latest/meta-data/ a b c"],
    benign: [
      "I set the proxy to http://10.1.2.3:3128 and nothing loads.",
      "I'm running it on http://localhost:3000 but it won't load",
      "It's on http://192.168.1.20/admin now, can you check",
    ],
  },
});
