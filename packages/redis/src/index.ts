export type { CircuitState } from "./circuit-breaker.js";
export type { RedisClientLike } from "./redis-client.js";
export { RedisStore, type RedisStoreOptions } from "./redis-store.js";
