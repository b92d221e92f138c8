// PLACEHOLDER: replaced by the real bounded memory store.
import type { FixedWindowParams, RateLimitState, SlidingWindowParams, Store, TokenBucketParams } from "../types.js";

export interface MemoryStoreOptions {
  readonly maxKeys?: number;
}

export class MemoryStore implements Store {
  constructor(_options: MemoryStoreOptions = {}) {}
  async fixedWindow(_key: string, _params: FixedWindowParams, _now: number): Promise<RateLimitState> {
    throw new Error("not implemented");
  }
  async slidingWindow(_key: string, _params: SlidingWindowParams, _now: number): Promise<RateLimitState> {
    throw new Error("not implemented");
  }
  async tokenBucket(_key: string, _params: TokenBucketParams, _now: number): Promise<RateLimitState> {
    throw new Error("not implemented");
  }
}
