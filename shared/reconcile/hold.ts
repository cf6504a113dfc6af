/**
 * When a Gateway's data plane is held instead of deleted: a typo in a configuration object must
 * not take down the load balancer (or Lattice services) already serving production traffic.
 *
 * A Gateway is held when it is still ours (its GatewayClass exists and names a switchyard
 * controller, so it resolved) and is not accepted because of a Gateway-level refusal
 * (`ResolvedGateway.problem`): its own or its class's parametersRef (a LoadBalancerConfiguration
 * missing, with unknown fields or invalid values), LoadBalancerConfiguration settings AWS cannot
 * apply to the load balancer, or a Gateway field switchyard refuses (`spec.addresses`, `spec.tls`).
 * In each, the listeners the Gateway serves are still valid: what it asks for beyond them cannot be
 * done, and what it had keeps serving until the configuration is fixed or the Gateway is deleted.
 *
 * Not held, so deleted as before:
 * - the Gateway is gone, its GatewayClass is gone, or the class no longer names a switchyard
 *   controller (it does not resolve): nothing is switchyard's to keep serving;
 * - no listener of the Gateway is valid (`ListenersNotValid` without a Gateway-level problem): the
 *   Gateway as written declares nothing to serve, so its old listeners would serve ports and
 *   protocols its spec no longer validly states.
 */
import type { ResolvedGateway } from "../graph/model.ts";

/** Why `gateway`'s data plane is held (its status reason and message), or undefined when it is not. */
export function configurationHold(gateway: ResolvedGateway | undefined): string | undefined {
  const refused = gateway?.problem;
  return refused ? `${refused.reason}: ${refused.message}` : undefined;
}
