/**
 * Core GATEWAY-HTTP cases that fail because of a known gap in switchyard's core (shared/), each
 * with what the suite expects and what the core gives. The conformance test tolerates exactly
 * these failures among core cases, and fails once one of them passes: then the entry goes.
 */
export interface KnownCoreBug {
  test: string;
  /** Case id, as in baseline.json. */
  case: string;
  summary: string;
}

export const KNOWN_CORE_BUGS: readonly KnownCoreBug[] = [];
