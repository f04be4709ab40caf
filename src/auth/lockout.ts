/** Failed sign-ins allowed before any delay. */
export const FREE_ATTEMPTS = 5;
/** Failed sign-ins that lock the account. */
export const LOCK_AFTER = 10;
export const LOCK_MS = 15 * 60 * 1000;

export interface AttemptHistory {
  failedSignIns: number;
  lastFailedSignInAt: Date | null;
  lockedUntil: Date | null;
}

export type AttemptVerdict = { kind: "allowed" } | { kind: "locked"; until: Date } | { kind: "wait"; until: Date };

/**
 * Whether an account may try a password now. The first five failures cost nothing; after that
 * each attempt must wait twice as long as the last (2, 4, 8, 16, 32 seconds after the previous
 * failure), and the tenth failure locks the account for 15 minutes.
 */
export function attemptVerdict(history: AttemptHistory, now: Date): AttemptVerdict {
  if (history.lockedUntil && history.lockedUntil.getTime() > now.getTime()) {
    return { kind: "locked", until: history.lockedUntil };
  }
  if (history.failedSignIns >= FREE_ATTEMPTS && history.lastFailedSignInAt) {
    const waitMs = 2 ** (history.failedSignIns - FREE_ATTEMPTS + 1) * 1000;
    const until = new Date(history.lastFailedSignInAt.getTime() + waitMs);
    if (until.getTime() > now.getTime()) {
      return { kind: "wait", until };
    }
  }
  return { kind: "allowed" };
}

/** The history after one more failure: counting on, or locked (and counting from zero again). */
export function afterFailure(history: AttemptHistory, now: Date): AttemptHistory & { justLocked: boolean } {
  const failed = history.failedSignIns + 1;
  if (failed >= LOCK_AFTER) {
    return { failedSignIns: 0, lastFailedSignInAt: now, lockedUntil: new Date(now.getTime() + LOCK_MS), justLocked: true };
  }
  return { failedSignIns: failed, lastFailedSignInAt: now, lockedUntil: null, justLocked: false };
}
