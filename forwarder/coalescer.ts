/**
 * Rate limit per key: EndpointSlices change with every pod readiness flip, and the control plane
 * needs only the latest state. The first change of a key passes at once; further changes within
 * `windowMs` of the last one passed are held, and only the latest is passed when the window ends.
 * So a key yields at most one item per window.
 */
import type { Clock } from "./clock.ts";

interface KeyState<T> {
  lastPassedAt: number;
  pending: T | undefined;
  cancelTimer: (() => void) | undefined;
}

export class Coalescer<T> {
  private readonly keys = new Map<string, KeyState<T>>();
  private readonly windowMs: number;
  private readonly clock: Clock;
  private readonly pass: (item: T) => void;

  constructor(windowMs: number, clock: Clock, pass: (item: T) => void) {
    this.windowMs = windowMs;
    this.clock = clock;
    this.pass = pass;
  }

  offer(key: string, item: T): void {
    const now = this.clock.now();
    const state = this.keys.get(key);
    if (state === undefined || now - state.lastPassedAt >= this.windowMs) {
      state?.cancelTimer?.();
      this.keys.set(key, { lastPassedAt: now, pending: undefined, cancelTimer: undefined });
      this.pass(item);
      return;
    }
    state.pending = item;
    if (state.cancelTimer === undefined) {
      state.cancelTimer = this.clock.setTimer(state.lastPassedAt + this.windowMs - now, () => this.flush(key));
    }
  }

  /** Drops what is held for `key` (its object was deleted: the delete supersedes it). */
  discard(key: string): void {
    this.keys.get(key)?.cancelTimer?.();
    this.keys.delete(key);
  }

  /** Number of keys with a held item (a gauge for /metrics). */
  get held(): number {
    let count = 0;
    for (const state of this.keys.values()) if (state.pending !== undefined) count++;
    return count;
  }

  stop(): void {
    for (const state of this.keys.values()) state.cancelTimer?.();
    this.keys.clear();
  }

  private flush(key: string): void {
    const state = this.keys.get(key);
    if (state === undefined) return;
    const item = state.pending;
    state.cancelTimer = undefined;
    state.pending = undefined;
    if (item === undefined) return;
    state.lastPassedAt = this.clock.now();
    this.pass(item);
  }
}
