/** The one source of "now", so tests can move time (session expiry, link expiry, deadlines). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that stands still until a test moves it. */
export class TestClock implements Clock {
  #now: number;

  constructor(start: Date | string = "2026-11-24T09:00:00Z") {
    this.#now = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.#now);
  }

  advance({ minutes = 0, seconds = 0, hours = 0 }: { minutes?: number; seconds?: number; hours?: number }): void {
    this.#now += ((hours * 60 + minutes) * 60 + seconds) * 1000;
  }

  set(to: Date | string): void {
    this.#now = new Date(to).getTime();
  }
}
