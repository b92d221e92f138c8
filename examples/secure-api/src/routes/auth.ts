import { parapetMiddleware } from "@parapet/express";
import { type Request, type Response, Router } from "express";
import type { Protection } from "../protection.js";
import type { UserStore } from "../users.js";
import { checkEmail, checkPassword } from "../validation.js";

// One answer for every failed login (unknown address, wrong password,
// malformed input), so the response never says which part was wrong.
const INVALID = { error: "invalid credentials" } as const;

// Signup answers the same whether the address was new or taken: otherwise the
// endpoint is an oracle for which addresses have accounts.
const SIGNED_UP = { message: "If this address was not registered yet, its account is ready: sign in." } as const;

export function authRoutes(protection: Protection, users: UserStore): Router {
  const router = Router();

  router.post("/signup", parapetMiddleware(protection.signup), async function signup(req: Request, res: Response) {
    const email = checkEmail(req.body?.email);
    if (!email.ok) return void res.status(400).json({ error: "Bad Request", reason: email.error });
    const password = checkPassword(req.body?.password);
    if (!password.ok) return void res.status(400).json({ error: "Bad Request", reason: password.error });
    await users.create(email.value, password.value);
    res.status(201).json(SIGNED_UP);
  });

  router.post("/login", parapetMiddleware(protection.loginByIp), async function login(req: Request, res: Response) {
    const email = checkEmail(req.body?.email);
    const password = typeof req.body?.password === "string" ? req.body.password : "";
    if (!email.ok || password.length === 0 || password.length > 128) {
      protection.loginByUser.reportAuthFailure(req);
      return void res.status(401).json(INVALID);
    }
    // Per-account limit, checked before the (deliberately slow) password hash.
    const decision = await protection.loginByUser.protect(req, { userId: email.value });
    res.set(decision.headers);
    if (decision.isDenied()) {
      return void res
        .status(decision.status)
        .json({ error: "Too Many Requests", reason: "Too many attempts for this account; try again later." });
    }
    if (!(await users.verify(email.value, password))) {
      protection.loginByUser.reportAuthFailure(req, { user: email.value });
      return void res.status(401).json(INVALID);
    }
    protection.loginByUser.reportAuthSuccess(req, { user: email.value });
    res.json({ message: "Signed in." });
  });

  return router;
}
