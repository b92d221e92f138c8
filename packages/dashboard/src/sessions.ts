import { createHash, randomBytes } from "node:crypto";

/**
 * Browser sessions. The cookie carries a random session id, never the token: cookies are not port-scoped, so every
 * other server on 127.0.0.1 (a dev server, the app itself) receives it. What such a server can take is a session
 * that expires, ends at logout and dies with the dashboard, not the token itself, which would let it in for as long
 * as the dashboard runs and cannot be revoked. Sessions live in this process's memory only: a restarted dashboard
 * (new token or not) has none, so every old cookie is refused.
 */
export interface SessionStore {
  /** Starts a session; returns its id, for the cookie. */
  create(): string;
  /** True if `id` names a live session, whose idle clock then restarts; an expired one is removed. */
  touch(id: string): boolean;
  end(id: string): void;
}

export interface SessionLimits {
  /** A session unused this long ends. */
  readonly idleMs: number;
  /** A session ends this long after login, used or not. */
  readonly absoluteMs: number;
  /** Live sessions kept at most; the oldest goes first. */
  readonly maxSessions: number;
}

/**
 * Idle 1 hour: a tab left open and unwatched is signed out well within a working day (an open live tail counts as
 * use). Absolute 12 hours: a day's work at most, after which the printed URL (or the token) is needed again.
 * 64 sessions: one per browser that logged in; only token holders can create them, so the bound only keeps a
 * script that logs in in a loop from growing memory.
 */
export const SESSION_LIMITS: SessionLimits = { idleMs: 60 * 60_000, absoluteMs: 12 * 60 * 60_000, maxSessions: 64 };

interface Session {
  readonly createdAt: number;
  lastUsedAt: number;
}

export function createSessionStore(now: () => number, limits: SessionLimits = SESSION_LIMITS): SessionStore {
  // Keyed by a hash of the id: the map never holds a usable credential, and lookups compare digests, not secrets.
  const sessions = new Map<string, Session>();
  const keyOf = (id: string) => createHash("sha256").update(id).digest("base64url");
  const expired = (session: Session, at: number) => at - session.lastUsedAt >= limits.idleMs || at - session.createdAt >= limits.absoluteMs;

  return {
    create() {
      const at = now();
      for (const [key, session] of sessions) if (expired(session, at)) sessions.delete(key);
      // Insertion order is creation order: the first key is the oldest session.
      while (sessions.size >= limits.maxSessions) sessions.delete(sessions.keys().next().value as string);
      // 32 random bytes: as unguessable as the token, so unknown ids need no throttling.
      const id = randomBytes(32).toString("base64url");
      sessions.set(keyOf(id), { createdAt: at, lastUsedAt: at });
      return id;
    },
    touch(id) {
      const key = keyOf(id);
      const session = sessions.get(key);
      if (!session) return false;
      const at = now();
      if (expired(session, at)) {
        sessions.delete(key);
        return false;
      }
      session.lastUsedAt = at;
      return true;
    },
    end(id) {
      sessions.delete(keyOf(id));
    },
  };
}
