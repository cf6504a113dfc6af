/**
 * Certificates of an HTTPS or TLS listener, in order of authority: listener certificateRefs
 * (Secrets the forwarder imported into ACM in the cluster's account) and certificate options, then
 * the LoadBalancerConfiguration's certificates for the port, then ACM discovery by hostname. A
 * Secret not imported yet is reported as pending rather than silently skipped.
 */
import type { ListenerConfiguration } from "../extensions/aws-lbc.ts";
import { hostnameMatches, isWildcardHostname } from "../gateway-api/hostname.ts";
import type { ResolvedListener } from "../graph/model.ts";
import type { AcmCertificate } from "./context.ts";
import type { ListenerCertificates } from "./model.ts";

/** The issued certificate that best covers a hostname: an exact name over a wildcard, then newest. */
export function discoverCertificate(
  hostname: string,
  certificates: readonly AcmCertificate[],
): AcmCertificate | undefined {
  const score = (cert: AcmCertificate): number => {
    const names = [cert.domainName, ...(cert.subjectAlternativeNames ?? [])];
    if (names.includes(hostname)) return 2;
    return names.some((n) => isWildcardHostname(n) && !isWildcardHostname(hostname) && hostnameMatches(n, hostname)) ||
      names.includes(hostname)
      ? 1
      : 0;
  };
  return certificates
    .filter((c) => (c.status ?? "ISSUED") === "ISSUED")
    .map((c) => ({ c, s: score(c) }))
    .filter((x) => x.s > 0)
    .sort(
      (a, b) => b.s - a.s || (b.c.issuedAt ?? "").localeCompare(a.c.issuedAt ?? "") || a.c.arn.localeCompare(b.c.arn),
    )[0]?.c;
}

export function listenerCertificates(
  listeners: readonly ResolvedListener[],
  routeHostnames: readonly string[],
  config: ListenerConfiguration | undefined,
  acm: readonly AcmCertificate[],
): ListenerCertificates {
  const arns: string[] = [];
  const pendingSecrets: string[] = [];
  const add = (arn: string | undefined) => {
    if (arn && !arns.includes(arn)) arns.push(arn);
  };
  for (const l of listeners) {
    for (const cert of l.certificates) {
      if (cert.arn) add(cert.arn);
      else if (cert.secretKey) pendingSecrets.push(cert.secretKey);
    }
  }
  add(config?.defaultCertificate);
  for (const arn of config?.certificates ?? []) add(arn);
  if (arns.length === 0 && pendingSecrets.length === 0) {
    const hostnames = [
      ...new Set([...listeners.map((l) => l.hostname), ...routeHostnames].filter((h): h is string => !!h)),
    ];
    for (const h of hostnames) add(discoverCertificate(h, acm)?.arn);
  }
  return { arns, pendingSecrets };
}
