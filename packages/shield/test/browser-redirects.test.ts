import { ssrfDetector } from "../src/detectors/ssrf/index.js";
import { describeRules, scoreOf } from "./helpers.js";

// An authorization server sees loopback redirect URIs all day: RFC 8252 §7.3 has native apps (gh, gcloud, az) take
// their login on http://127.0.0.1:{port}/, and developers register http://localhost:3000/callback. The browser goes
// there, not the server. Names the server fetches (callback, webhook_url, url) keep judging the same URLs as targets.
const PLAIN_LOCAL = [
  "http://localhost:3000/callback",
  "http://127.0.0.1:8080/auth/callback",
  "http://[::1]:3000/cb",
  "http://192.168.1.10:8000/callback?state=abc",
];
const SPELLED_TO_EVADE = [
  "http://169.254.169.254/latest/meta-data/",
  "http://2130706433/",
  "http://0x7f.1/",
  "http://evil.example#@127.0.0.1/",
  "gopher://127.0.0.1:6379/_x",
  "http://127.0.0.1:8080/x?u=http://10.0.0.1/",
];

for (const name of ["redirect_uri", "redirectUrl", "returnTo", "next", "post_logout_redirect_uri"]) {
  describeRules(`ssrf: a browser redirect in ${name}`, (value) => scoreOf(ssrfDetector, value, "query", name), {
    "a plain local URL is where the user's browser goes": { attacks: SPELLED_TO_EVADE, benign: PLAIN_LOCAL },
  });
}

for (const name of ["callback", "webhook_url", "url", "imageUrl"]) {
  describeRules(`ssrf: ${name} is fetched by the server`, (value) => scoreOf(ssrfDetector, value, "query", name), {
    "a local URL is a target": { attacks: [...PLAIN_LOCAL, ...SPELLED_TO_EVADE], benign: ["https://app.example.com/callback"] },
  });
}

// Auth.js keeps the post-sign-in destination in a cookie sent with every request: on a developer's machine it is local.
for (const name of ["next-auth.callback-url", "__Secure-next-auth.callback-url", "authjs.callback-url"]) {
  describeRules(`ssrf: Auth.js's ${name} cookie`, (value) => scoreOf(ssrfDetector, value, "cookie", name), {
    "a plain local URL is where the user's browser goes": { attacks: SPELLED_TO_EVADE, benign: PLAIN_LOCAL },
  });
}
