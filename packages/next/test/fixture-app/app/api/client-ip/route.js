// Reports which client IP Parapet finds under `next start`, for each way an app can tell it where to look.
import { fixedWindow, parapet } from "@parapet/core";
import { protectRequest } from "@parapet/next";

const onePerIp = () => fixedWindow({ name: "per-ip", max: 1, window: "1h" });
const clients = {
  none: parapet({ rules: [onePerIp()] }),
  proxies: parapet({ proxies: ["loopback"], rules: [onePerIp()] }),
  vercel: parapet({ platform: "vercel", rules: [onePerIp()] }),
};

export async function GET(request) {
  const report = { forwardedFor: request.headers.get("x-forwarded-for") };
  for (const [name, client] of Object.entries(clients)) {
    const decision = await protectRequest(client, request);
    report[name] = { ip: decision.ip, conclusion: decision.conclusion };
  }
  return Response.json(report);
}
