/**
 * Certificates of an HTTPS or TLS listener, in order of authority: listener certificateRefs
 * (Secrets the forwarder imported into ACM in the cluster's account) and certificate options, then
 * the LoadBalancerConfiguration's certificates for the port, then ACM discovery by hostname. A
 * Secret not imported yet is reported as pending rather than silently skipped.
 */
import type { ListenerConfiguration } from "../extensions/aws-lbc.ts";
import { hostnameMatches, isWildcardHostname } from "../gateway-api/hostname.ts";
import { CERTIFICATE_ARN_OPTION } from "../graph/listeners.ts";
import type { ResolvedGateway, ResolvedListener } from "../graph/model.ts";
import { problem, Reason, type StatusProblem } from "../status/conditions.ts";
import type { AcmCertificate } from "./context.ts";
import type { ListenerCertificates } from "./model.ts";

/** The issued certificate that best covers a hostname: an exact name over a wildcard, then newest. */
function discoverCertificate(hostname: string, certificates: readonly AcmCertificate[]): AcmCertificate | undefined {
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

/**
 * The AWS account and Region a Gateway's load balancer is built in, as far as they are known.
 * A certificate must live there: ELBv2 refuses an ACM certificate of another account or Region.
 */
export interface CertificateTarget {
  /** 12-digit account id; unknown (e.g. an offline plan without a registry) skips the account check. */
  accountId?: string;
  /** Region code such as `eu-west-1`; unknown skips the Region check. */
  region?: string;
}

const ACM_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):acm:([a-z0-9-]+):(\d{12}):certificate\/[A-Za-z0-9-]+$/;
const IAM_SERVER_CERTIFICATE_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*):iam::(\d{12}):server-certificate\/.+$/;

/**
 * Why a certificate ARN written by a user cannot serve this Gateway, or undefined. Checked: the ARN
 * is an ACM certificate (or an IAM server certificate, which has no Region); its Region is the
 * target Region and its account the target account, each only when known.
 */
export function certificateArnProblem(arn: string, target: CertificateTarget): string | undefined {
  const acm = ACM_ARN.exec(arn);
  const iam = acm ? undefined : IAM_SERVER_CERTIFICATE_ARN.exec(arn);
  if (!acm && !iam)
    return `certificate ${arn} is not an ACM certificate ARN (arn:aws:acm:<region>:<account>:certificate/<id>)`;
  const region = acm?.[2];
  const account = acm?.[3] ?? iam?.[2];
  if (target.region && region && region !== target.region) {
    return `certificate ${arn} is in Region ${region}; this Gateway's load balancer is in Region ${target.region}${target.accountId ? `, account ${target.accountId}` : ""}`;
  }
  if (target.accountId && account !== target.accountId) {
    return `certificate ${arn} belongs to account ${account}; this Gateway's load balancer is in account ${target.accountId}${target.region ? `, Region ${target.region}` : ""}`;
  }
  return undefined;
}

/**
 * Listener certificate ARNs given as the `switchyard.dev/certificate-arn` option that cannot serve
 * the Gateway, per Gateway listener id, as ResolvedRefs reason InvalidCertificateRef.
 */
export function optionCertificateProblems(
  gateway: ResolvedGateway,
  target: CertificateTarget,
): Map<ResolvedListener, StatusProblem> {
  const problems = new Map<ResolvedListener, StatusProblem>();
  const listeners = [...gateway.listeners, ...gateway.listenerSets.flatMap((s) => s.listeners)];
  for (const listener of listeners) {
    for (const cert of listener.certificates) {
      if (cert.source !== "option" || !cert.arn) continue;
      const found = certificateArnProblem(cert.arn, target);
      if (found) {
        problems.set(
          listener,
          problem(Reason.InvalidCertificateRef, `tls.options[${CERTIFICATE_ARN_OPTION}]: ${found}`),
        );
        break;
      }
    }
  }
  return problems;
}
