import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from "node:crypto";

/**
 * Users in memory, for the demo. Passwords are stored as scrypt(password,
 * salt) with a random 16-byte salt per user; a database would store the same
 * three fields.
 */
export interface UserStore {
  /** False when the address is taken. */
  create(email: string, password: string): Promise<boolean>;
  /** True only for a known address with the right password. */
  verify(email: string, password: string): Promise<boolean>;
}

interface StoredUser {
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const KEY_LENGTH = 32;
// OWASP Password Storage Cheat Sheet: scrypt N=2^17, r=8, p=1. maxmem must
// cover 128 * N * r bytes (128 MiB), so it is raised from the 32 MiB default.
const PRODUCTION_COST: ScryptOptions = { N: 2 ** 17, r: 8, p: 1, maxmem: 256 * 1024 * 1024 };

export interface UserStoreOptions {
  /** scrypt parameters; tests lower N to stay fast. */
  readonly scrypt?: ScryptOptions;
  /** The most accounts kept; a demo must not grow without bound. Default 10,000. */
  readonly maxUsers?: number;
}

export function createUserStore(options: UserStoreOptions = {}): UserStore {
  const cost = options.scrypt ?? PRODUCTION_COST;
  const maxUsers = options.maxUsers ?? 10_000;
  const users = new Map<string, StoredUser>();
  // Verifying an unknown address still runs scrypt, against this, so response
  // time does not tell an attacker which addresses have accounts.
  const decoy: Promise<StoredUser> = derive("decoy password", randomBytes(16), cost).then((hash) => ({ salt: randomBytes(16), hash }));

  return {
    async create(email, password) {
      if (users.has(email) || users.size >= maxUsers) return false;
      const salt = randomBytes(16);
      const hash = await derive(password, salt, cost);
      // Re-check: two signups for one address may have hashed concurrently.
      if (users.has(email)) return false;
      users.set(email, { salt, hash });
      return true;
    },
    async verify(email, password) {
      const user = users.get(email);
      const target = user ?? (await decoy);
      const hash = await derive(password, target.salt, cost);
      return timingSafeEqual(hash, target.hash) && user !== undefined;
    },
  };
}

function derive(password: string, salt: Buffer, cost: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, KEY_LENGTH, cost, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
