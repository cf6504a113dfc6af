/**
 * How the local pipeline writes status to the one cluster it serves. The status λ resolves a
 * cluster's endpoint through EKS DescribeCluster; `switchyard dev` already holds the cluster's
 * endpoint and CA (its kubeconfig), so it connects there directly, with one of two identities:
 *
 * - `iam`: an EKS IAM token (`k8s-aws-v1.…`) for `tokenClusterName`, signed with the credentials
 *   the status λ would use. The API server's authenticator maps that identity to a user whose RBAC
 *   should allow status subresources only — the production path.
 * - `kubeconfig`: the kubeconfig's own bearer token. Local mode only: that identity can usually
 *   write far more than status, so it proves nothing about the production permissions.
 */
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from "@smithy/types";
import type { StatusWriters, StatusWriting } from "../../functions/status/status-batch.ts";
import { ClusterUnreachable } from "../../shared/status/writer/connection.ts";
import type { StatusIntent } from "../../shared/status/writer/decision.ts";
import { HttpsKubeApi, type KubeEndpoint } from "../../shared/status/writer/kube-api.ts";
import { EksTokenSource } from "../../shared/status/writer/token-source.ts";
import { StatusWriter, type WriteOutcome } from "../../shared/status/writer/writer.ts";

export type StatusIdentity =
  | {
      kind: "iam";
      /** The `x-k8s-aws-id` the API server's authenticator expects: the EKS cluster name. */
      tokenClusterName: string;
      region: string;
      credentials: AwsCredentialIdentityProvider | AwsCredentialIdentity;
    }
  | { kind: "kubeconfig"; token: string };

/** Called after every write with what it did (the pipeline's progress lines). */
export type StatusWriteObserver = (
  intent: StatusIntent,
  outcome: WriteOutcome | { outcome: "failed"; error: unknown },
) => void;

export function localStatusWriters(
  clusterId: string,
  endpoint: KubeEndpoint,
  identity: StatusIdentity,
  observe: StatusWriteObserver,
): StatusWriters {
  let token: () => Promise<string>;
  let onUnauthorized: (() => void) | undefined;
  if (identity.kind === "iam") {
    // No STS endpoint override: the token names the regional STS host, which is what EKS (and the
    // test environment's webhook) verify; nothing here calls STS.
    const tokens = new EksTokenSource({
      clusterName: identity.tokenClusterName,
      region: identity.region,
      credentials: identity.credentials,
    });
    token = () => tokens.token();
    onUnauthorized = () => tokens.invalidate();
  } else {
    const bearer = identity.token;
    token = async () => bearer;
  }
  const writer = new StatusWriter(new HttpsKubeApi(endpoint, { token, ...(onUnauthorized ? { onUnauthorized } : {}) }));
  const observed: StatusWriting = {
    async write(intent) {
      try {
        const outcome = await writer.write(intent);
        observe(intent, outcome);
        return outcome;
      } catch (error) {
        observe(intent, { outcome: "failed", error });
        throw error;
      }
    },
  };
  return {
    async writerFor(requested) {
      if (requested !== clusterId)
        throw new ClusterUnreachable(requested, "switchyard dev serves only its own cluster");
      return observed;
    },
  };
}
