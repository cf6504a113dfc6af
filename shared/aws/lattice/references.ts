/**
 * Target groups a Gateway forwards to but does not own, found before planning: another cluster's
 * ServiceExport group (its name is deterministic, naming.ts) is looked up by name in the account
 * the service lives in, so the plan forwards to it by ARN like a group named by annotation.
 */
import { ListTargetGroupsCommand, type VPCLatticeClient } from "@aws-sdk/client-vpc-lattice";
import type { LatticeModel } from "../../lattice/model.ts";

/**
 * The model with the ARN of every named reference that exists in `account`; one paginated
 * ListTargetGroups, and none when every reference already has its ARN. A reference not found keeps
 * no ARN: its exporter has not created the group yet, and the rule forwarding to it is refused.
 */
export async function resolveReferences(
  client: VPCLatticeClient,
  model: LatticeModel,
  account: string,
): Promise<LatticeModel> {
  const wanted = new Set(model.targetGroupReferences.filter((r) => !r.arn && r.name).map((r) => r.name));
  if (wanted.size === 0) return model;
  const found = new Map<string, string>();
  let nextToken: string | undefined;
  do {
    const page = await client.send(new ListTargetGroupsCommand({ ...(nextToken ? { nextToken } : {}) }));
    for (const g of page.items ?? []) {
      // A rule forwards only to groups of the service's own account.
      if (g.name && g.arn && wanted.has(g.name) && g.arn.includes(`:${account}:`)) found.set(g.name, g.arn);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return {
    ...model,
    targetGroupReferences: model.targetGroupReferences.map((r) => {
      const arn = !r.arn && r.name ? found.get(r.name) : undefined;
      return arn ? { ...r, arn } : r;
    }),
  };
}
