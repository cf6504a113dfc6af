/** Listener attribute executor: ModifyListenerAttributes with the keys that changed. */
import { ModifyListenerAttributesCommand } from "@aws-sdk/client-elastic-load-balancing-v2";
import { toSdkAttributes } from "../translate.ts";
import { call, type ExecutorTable, listenerArn, listenerOf } from "./context.ts";

export const listenerAttributeExecutors: Pick<ExecutorTable, "ModifyListenerAttributes"> = {
  async ModifyListenerAttributes(client, op, ctx) {
    const arn = listenerArn(ctx, op.listenerId, op.op);
    await call(op.op, () =>
      client.send(
        new ModifyListenerAttributesCommand({ ListenerArn: arn, Attributes: toSdkAttributes(op.attributes) }),
      ),
    );
    const l = listenerOf(ctx, op.listenerId);
    if (l) l.attributes = { ...l.attributes, ...op.attributes };
  },
};
