import { describe, expect, it } from "vitest";
import { afterFailure, attemptVerdict, LOCK_AFTER, type AttemptHistory } from "./lockout.ts";

const start = new Date("2026-11-24T09:00:00Z");
const at = (seconds: number) => new Date(start.getTime() + seconds * 1000);

describe("sign-in slow-down and lock", () => {
  it("lets the first five failures through at once", () => {
    let history: AttemptHistory = { failedSignIns: 0, lastFailedSignInAt: null, lockedUntil: null };
    for (let i = 0; i < 4; i += 1) {
      history = afterFailure(history, start);
      expect(attemptVerdict(history, start)).toEqual({ kind: "allowed" });
    }
  });

  it("makes each attempt after the fifth failure wait twice as long: 2, 4, 8, 16, 32 seconds", () => {
    for (const [failures, waitSeconds] of [[5, 2], [6, 4], [7, 8], [8, 16], [9, 32]] as const) {
      const history = { failedSignIns: failures, lastFailedSignInAt: start, lockedUntil: null };
      expect(attemptVerdict(history, at(waitSeconds - 1)), `${failures} failures`).toEqual({ kind: "wait", until: at(waitSeconds) });
      expect(attemptVerdict(history, at(waitSeconds)), `${failures} failures`).toEqual({ kind: "allowed" });
    }
  });

  it("locks for 15 minutes at the tenth failure, then starts counting again", () => {
    const locked = afterFailure({ failedSignIns: LOCK_AFTER - 1, lastFailedSignInAt: start, lockedUntil: null }, start);
    expect(locked).toMatchObject({ justLocked: true, failedSignIns: 0, lockedUntil: at(15 * 60) });
    expect(attemptVerdict(locked, at(15 * 60 - 1))).toEqual({ kind: "locked", until: at(15 * 60) });
    expect(attemptVerdict(locked, at(15 * 60))).toEqual({ kind: "allowed" });
  });
});
