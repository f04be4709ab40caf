import QRCode from "qrcode";
import { attemptVerdict } from "../auth/lockout.ts";
import { fromBase32, matchingStep, newTotpSecret, otpauthUri, toBase32 } from "../auth/totp.ts";
import { open, seal } from "../platform/encryption/envelope.ts";
import type { Services } from "../platform/services.ts";
import { recordOperatorEvent } from "./operator-context.ts";
import { asOperator } from "./operator-scope.ts";
import { startOperatorSession } from "./operator-sessions.ts";
import { clearFailures, countFailure, operatorForUpdate, type OperatorRequestMeta } from "./operators.ts";

/**
 * An operator's authenticator secret is sealed under the master key itself (an operator belongs to
 * no organisation, so no data key), bound to the operator: a value copied to another row does not open.
 */
const totpContext = (operatorId: string) => `steward operator totp ${operatorId}`;

type Services2fa = Pick<Services, "database" | "clock" | "keyring">;

export type OperatorTwoFactorSetup = { kind: "enabled" } | { kind: "pending"; secret: string; qrCode: string };

/** The secret shown in groups of four, easier to type into an app by hand. */
function grouped(base32: string): string {
  return base32.replace(/(.{4})/g, "$1 ").trim();
}

/**
 * What an operator setting up two-factor sees: a secret made on the first visit, kept sealed, in
 * force only once a code from it is confirmed, as a QR code and as text.
 */
export async function operatorTwoFactorSetup(services: Services2fa, operatorId: string): Promise<OperatorTwoFactorSetup> {
  const found = await asOperator(services.database.db, async (trx) => {
    const operator = await trx.selectFrom("operators").select(["email", "totpSecret", "totpConfirmedAt"]).where("id", "=", operatorId).executeTakeFirstOrThrow();
    if (operator.totpConfirmedAt) {
      return undefined;
    }
    if (operator.totpSecret) {
      return { email: operator.email, secret: open(services.keyring.masterKey, operator.totpSecret, totpContext(operatorId)).toString("utf8") };
    }
    const secret = toBase32(newTotpSecret());
    await trx
      .updateTable("operators")
      .set({ totpSecret: seal(services.keyring.masterKey, secret, totpContext(operatorId)), totpLastStep: null })
      .where("id", "=", operatorId)
      .execute();
    return { email: operator.email, secret };
  });
  if (!found) {
    return { kind: "enabled" };
  }
  const svg = await QRCode.toString(otpauthUri(fromBase32(found.secret), "Steward operator", found.email), { type: "svg", margin: 2, errorCorrectionLevel: "M" });
  return { kind: "pending", secret: grouped(found.secret), qrCode: `data:image/svg+xml;base64,${Buffer.from(svg).toString("base64")}` };
}

export type OperatorSecondFactorResult = { ok: true; token: string } | { ok: false; reason: "invalid" | "expired"; message?: string } | { ok: false; reason: "wait" | "locked"; until: Date };

/**
 * The second factor, for a session past the password (`sessionId`, found by the caller from the
 * cookie): with `setUp`, confirming a newly set-up authenticator; otherwise a code from the one set
 * up. A code's time step is spent, so the same code never works twice. Success ends the
 * half-session and starts a full one under a new token. A wrong sign-in code counts towards the
 * same slow-down and lock as a wrong password.
 */
export async function passOperatorSecondFactor(
  services: Services2fa,
  sessionId: string,
  code: string,
  { setUp, meta }: { setUp: boolean; meta?: OperatorRequestMeta },
): Promise<OperatorSecondFactorResult> {
  const now = services.clock.now();
  return asOperator(services.database.db, async (trx) => {
    const session = await trx.selectFrom("operatorSessions").select(["id", "operatorId", "awaitingSecondFactor"]).where("id", "=", sessionId).executeTakeFirst();
    if (!session?.awaitingSecondFactor) {
      return { ok: false, reason: "expired" };
    }
    const found = await operatorForUpdate(trx, session.operatorId);
    if (!found || found.operator.deactivatedAt !== null) {
      return { ok: false, reason: "expired" };
    }
    const { operator, attempts } = found;
    if (setUp !== (operator.totpConfirmedAt === null)) {
      return { ok: false, reason: "invalid", message: setUp ? "Two-factor authentication is already set up: enter a code from your app" : "Set up two-factor authentication first" };
    }
    if (!setUp) {
      const verdict = attemptVerdict(attempts, now);
      if (verdict.kind !== "allowed") {
        return { ok: false, reason: verdict.kind, until: verdict.until };
      }
    }
    if (!operator.totpSecret) {
      return { ok: false, reason: "invalid", message: "Start again: open the set-up page to get a new key" };
    }
    const secret = fromBase32(open(services.keyring.masterKey, operator.totpSecret, totpContext(operator.id)).toString("utf8"));
    const step = matchingStep(secret, code.replace(/\s/g, ""), now, operator.totpLastStep === null ? null : Number(operator.totpLastStep));
    if (step === undefined) {
      if (!setUp) {
        await countFailure(trx, attempts, "operator.two-factor.refused", now, meta);
      }
      return { ok: false, reason: "invalid" };
    }
    await trx
      .updateTable("operators")
      .set({ totpLastStep: step, ...(setUp ? { totpConfirmedAt: now } : {}) })
      .where("id", "=", operator.id)
      .execute();
    await clearFailures(trx, operator.id);
    await trx.deleteFrom("operatorSessions").where("id", "=", session.id).execute();
    const ip = meta?.ip ? { ip: meta.ip } : {};
    if (setUp) {
      await recordOperatorEvent(trx, { operatorId: operator.id, action: "operator.two-factor.enable", at: now });
    }
    await recordOperatorEvent(trx, { operatorId: operator.id, action: "operator.sign-in", detail: ip, at: now });
    return { ok: true, token: await startOperatorSession(trx, now, operator.id, { awaitingSecondFactor: false }) };
  });
}
