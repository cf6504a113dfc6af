/**
 * The reconcile λ's recheck settings (shared/pipeline/settle-recheck.ts) from its environment, as
 * the ControlPlane sets them (its `recheck` prop): pure, so the CDK app checks them at synth too.
 */
import { DEFAULT_RECHECK, type RecheckSettings } from "../../shared/pipeline/settle-recheck.ts";
import { type Environment, InvalidSetting } from "../lib/settings.ts";

/** The recheck settings' variables, each a whole number of seconds (shared/pipeline/settle-recheck.ts). */
export const RECHECK_VARIABLES = {
  firstDelay: "SWITCHYARD_RECHECK_FIRST_DELAY_SECONDS",
  maxDelay: "SWITCHYARD_RECHECK_MAX_DELAY_SECONDS",
  giveUpAfter: "SWITCHYARD_RECHECK_GIVE_UP_SECONDS",
} as const;

/** SQS holds a message back at most 12 hours (ChangeMessageVisibility): no recheck waits longer. */
const MAX_RECHECK_DELAY_SECONDS = 12 * 60 * 60;

/**
 * Rechecks while AWS settles: `SWITCHYARD_RECHECK_FIRST_DELAY_SECONDS` (default 10),
 * `SWITCHYARD_RECHECK_MAX_DELAY_SECONDS` (60: the delay doubles up to it) and
 * `SWITCHYARD_RECHECK_GIVE_UP_SECONDS` (900; 0 turns rechecks off and leaves settling Gateways to
 * the resync). Unset or empty keeps the default; anything but a whole number of seconds, a first
 * delay of 0, a maximum below the first delay or above 12 hours is refused rather than guessed.
 */
export function recheckSettingsFromEnvironment(env: Environment): RecheckSettings {
  const seconds = (name: string, fallbackMs: number): number => {
    const value = env[name] ?? "";
    if (value === "") return fallbackMs;
    if (!/^\d+$/.test(value)) throw new InvalidSetting(name, value, "a whole number of seconds");
    return Number(value) * 1000;
  };
  const firstDelayMs = seconds(RECHECK_VARIABLES.firstDelay, DEFAULT_RECHECK.firstDelayMs);
  const maxDelayMs = seconds(RECHECK_VARIABLES.maxDelay, DEFAULT_RECHECK.maxDelayMs);
  const maxTotalMs = seconds(RECHECK_VARIABLES.giveUpAfter, DEFAULT_RECHECK.maxTotalMs);
  if (firstDelayMs === 0) {
    throw new InvalidSetting(
      RECHECK_VARIABLES.firstDelay,
      "0",
      "at least 1 second (turn rechecks off with SWITCHYARD_RECHECK_GIVE_UP_SECONDS=0)",
    );
  }
  if (maxDelayMs < firstDelayMs || maxDelayMs > MAX_RECHECK_DELAY_SECONDS * 1000) {
    throw new InvalidSetting(
      RECHECK_VARIABLES.maxDelay,
      String(maxDelayMs / 1000),
      `between the first delay (${firstDelayMs / 1000} s) and ${MAX_RECHECK_DELAY_SECONDS} s`,
    );
  }
  return { firstDelayMs, maxDelayMs, maxTotalMs };
}
