/**
 * Trust stores of mutual TLS, named by ARN or, as the AWS Load Balancer Controller allows, by
 * name. A name is resolved to its ARN at apply time (shared/aws/elbv2/executors/listener.ts), so
 * what exists always has the ARN; the plan compares a named trust store by the name inside it.
 */
import type { MutualAuthentication } from "./model.ts";

/** The name inside a trust store ARN (`arn:…:truststore/<name>/<id>`), or undefined for another ARN. */
export function trustStoreNameOf(arn: string): string | undefined {
  return /:truststore\/([^/]+)\/[^/]+$/.exec(arn)?.[1];
}

/** Whether the observed mutual TLS is what the model asks for, a trust store name matching its ARN. */
export function sameMutualAuthentication(want: MutualAuthentication, have: MutualAuthentication): boolean {
  const { trustStoreName, ...rest } = want;
  const resolved =
    trustStoreName !== undefined &&
    have.trustStoreArn !== undefined &&
    trustStoreNameOf(have.trustStoreArn) === trustStoreName
      ? { ...rest, trustStoreArn: have.trustStoreArn }
      : want;
  return JSON.stringify(canonical(resolved)) === JSON.stringify(canonical(have));
}

function canonical(m: MutualAuthentication): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m).sort(([a], [b]) => a.localeCompare(b)));
}
