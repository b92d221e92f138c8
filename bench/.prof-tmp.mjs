import { fixedWindow, parapet, silentLogger } from "@parapet/core";
const p = parapet({ rules: [fixedWindow({ max: 1_000_000_000, window: "1h" })], logger: silentLogger });
const requests = Array.from({ length: 10000 }, (_, i) => ({ method: "GET", url: `/items/${i % 100}?page=2`, headers: { host: "bench.test", "user-agent": "bench", accept: "*/*" }, ip: `10.0.${(i >> 8) & 255}.${i & 255}` }));
const N = 300000;
const t = performance.now();
for (let i = 0; i < N; i++) await p.protect(requests[i % 10000]);
console.log(((performance.now() - t) * 1000 / N).toFixed(2), "µs");
