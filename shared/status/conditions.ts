/**
 * Condition types and reasons switchyard writes, and small constructors. Every condition carries
 * the generation it was computed from; `lastTransitionTime` is stamped by the status writer.
 */
import type { Condition } from "../k8s/meta.ts";

export const Cond = {
  Accepted: "Accepted",
  Programmed: "Programmed",
  ResolvedRefs: "ResolvedRefs",
  Conflicted: "Conflicted",
  PartiallyInvalid: "PartiallyInvalid",
  SupportedVersion: "SupportedVersion",
  OverlappingTLSConfig: "OverlappingTLSConfig",
} as const;

export const Reason = {
  Accepted: "Accepted",
  Programmed: "Programmed",
  ResolvedRefs: "ResolvedRefs",
  Pending: "Pending",
  Invalid: "Invalid",
  InvalidParameters: "InvalidParameters",
  Unsupported: "Unsupported",
  UnsupportedAddress: "UnsupportedAddress",
  ListenersNotValid: "ListenersNotValid",
  NoResources: "NoResources",
  AddressNotAssigned: "AddressNotAssigned",
  NoConflicts: "NoConflicts",
  HostnameConflict: "HostnameConflict",
  ProtocolConflict: "ProtocolConflict",
  PortUnavailable: "PortUnavailable",
  UnsupportedProtocol: "UnsupportedProtocol",
  UnsupportedValue: "UnsupportedValue",
  InvalidCertificateRef: "InvalidCertificateRef",
  InvalidRouteKinds: "InvalidRouteKinds",
  RefNotPermitted: "RefNotPermitted",
  NotAllowed: "NotAllowed",
  ParentNotAccepted: "ParentNotAccepted",
  NotAllowedByListeners: "NotAllowedByListeners",
  NoMatchingListenerHostname: "NoMatchingListenerHostname",
  NoMatchingParent: "NoMatchingParent",
  IncompatibleFilters: "IncompatibleFilters",
  InvalidKind: "InvalidKind",
  BackendNotFound: "BackendNotFound",
  Conflicted: "Conflicted",
  TargetNotFound: "TargetNotFound",
  OverlappingHostnames: "OverlappingHostnames",
} as const;

export type ReasonName = (typeof Reason)[keyof typeof Reason];

export function condition(
  type: string,
  ok: boolean | "Unknown",
  reason: string,
  message: string,
  observedGeneration: number | undefined,
): Condition {
  const status = ok === "Unknown" ? "Unknown" : ok ? "True" : "False";
  return observedGeneration === undefined
    ? { type, status, reason, message }
    : { type, status, reason, message, observedGeneration };
}

/**
 * A typed problem that becomes a status condition: the reason is decided where the problem is
 * found, so no later layer has to guess it from a message.
 */
export interface StatusProblem {
  reason: ReasonName;
  message: string;
}

export function problem(reason: ReasonName, message: string): StatusProblem {
  return { reason, message };
}
