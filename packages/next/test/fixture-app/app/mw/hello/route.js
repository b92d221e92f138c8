// Not wrapped: proxy.js protects every /mw route.
export async function GET() {
  return Response.json({ message: "hello" });
}
