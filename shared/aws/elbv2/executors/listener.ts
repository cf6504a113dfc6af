/** Listener executors: create (extra certificates added after), modify, certificate list, delete. */
import {
  AddListenerCertificatesCommand,
  CreateListenerCommand,
  DeleteListenerCommand,
  DescribeTrustStoresCommand,
  type ElasticLoadBalancingV2Client,
  ModifyListenerCommand,
  type MutualAuthenticationAttributes,
  RemoveListenerCertificatesCommand,
} from "@aws-sdk/client-elastic-load-balancing-v2";
import type { MutualAuthentication } from "../../../elb/model.ts";
import type { ObservedListener } from "../../../elb/observed.ts";
import { AwsOperationError } from "../../errors.ts";
import { Answer } from "../response.ts";
import { toSdkActions, toSdkTags } from "../translate.ts";
import {
  call,
  ExecutionError,
  type ExecutorTable,
  hasTls,
  listenerArn,
  listenerOf,
  loadBalancerArn,
  targetGroupArn,
  translating,
} from "./context.ts";
import { withOwnership } from "./tags.ts";

function toSdkMutualAuthentication(m: MutualAuthentication): MutualAuthenticationAttributes {
  return {
    Mode: m.mode,
    ...(m.trustStoreArn ? { TrustStoreArn: m.trustStoreArn } : {}),
    ...(m.ignoreClientCertificateExpiry !== undefined
      ? { IgnoreClientCertificateExpiry: m.ignoreClientCertificateExpiry }
      : {}),
    // Explicit in verify mode, so that turning it off is a change ModifyListener makes.
    ...(m.mode === "verify"
      ? { AdvertiseTrustStoreCaNames: m.advertiseTrustStoreCaNames === "on" ? ("on" as const) : ("off" as const) }
      : {}),
  };
}

/**
 * A trust store named by name becomes its ARN (DescribeTrustStores by name, as the AWS Load
 * Balancer Controller resolves it). No trust store of that name is terminal, naming it: ELBv2
 * would refuse the listener, and only the user can create the trust store or fix the name.
 */
async function resolveTrustStore(
  client: ElasticLoadBalancingV2Client,
  operation: string,
  m: MutualAuthentication,
): Promise<MutualAuthentication> {
  const { trustStoreName, ...rest } = m;
  if (trustStoreName === undefined) return m;
  const notFound = () =>
    new AwsOperationError(operation, {
      kind: "terminal",
      reason: "TrustStoreNotFound",
      message: `mutual TLS names trust store ${JSON.stringify(trustStoreName)}, and no trust store of that name exists in the account and Region; create it or name it by ARN`,
    });
  // ELBv2 answers an unknown name with TrustStoreNotFound, which `call` turns into no answer.
  const found = await call(
    operation,
    () => client.send(new DescribeTrustStoresCommand({ Names: [trustStoreName] })),
    true,
  );
  const arns = (found?.TrustStores ?? []).map((t) => t.TrustStoreArn).filter((a): a is string => !!a);
  if (arns.length === 0) throw notFound();
  if (arns.length > 1) {
    throw new AwsOperationError(operation, {
      kind: "terminal",
      reason: "AmbiguousTrustStoreName",
      message: `mutual TLS names trust store ${JSON.stringify(trustStoreName)}, and ${arns.length} trust stores answer to it (${arns.join(", ")}); name it by ARN`,
    });
  }
  return { ...rest, trustStoreArn: arns[0] ?? "" };
}

export const listenerExecutors: Pick<
  ExecutorTable,
  "CreateListener" | "ModifyListener" | "AddListenerCertificates" | "RemoveListenerCertificates" | "DeleteListener"
> = {
  async CreateListener(client, op, ctx) {
    const name = op.op;
    const lbArn = loadBalancerArn(ctx, name);
    const certs = op.certificates?.arns ?? [];
    const defaultActions = translating(name, () => toSdkActions(op.defaultActions, targetGroupArn(ctx, name)));
    const mtls = op.mutualAuthentication && (await resolveTrustStore(client, name, op.mutualAuthentication));
    const response = await call(name, () =>
      client.send(
        new CreateListenerCommand({
          LoadBalancerArn: lbArn,
          Protocol: op.protocol,
          Port: op.port,
          // CreateListener takes exactly one certificate, the default; the rest are added below.
          ...(certs[0] ? { Certificates: [{ CertificateArn: certs[0] }] } : {}),
          ...(hasTls(op.protocol) && op.sslPolicy ? { SslPolicy: op.sslPolicy } : {}),
          ...(op.protocol === "TLS" && op.alpnPolicy ? { AlpnPolicy: [op.alpnPolicy] } : {}),
          ...(mtls ? { MutualAuthentication: toSdkMutualAuthentication(mtls) } : {}),
          DefaultActions: defaultActions,
          Tags: toSdkTags(withOwnership(op.tags, ctx.owner, `listener:${op.listenerId}`)),
        }),
      ),
    );
    const created = response?.Listeners?.[0] ?? {};
    const arn = new Answer(name, `listener ${op.listenerId}`).string("ListenerArn", created.ListenerArn);
    ctx.listenerArns[op.listenerId] = arn;
    const sslPolicy = hasTls(op.protocol) ? (op.sslPolicy ?? created.SslPolicy) : undefined;
    const listener: ObservedListener = {
      id: op.listenerId,
      arn,
      port: op.port,
      protocol: op.protocol,
      ...(op.certificates
        ? { certificates: { arns: certs.slice(0, 1), pendingSecrets: [...op.certificates.pendingSecrets] } }
        : {}),
      ...(sslPolicy ? { sslPolicy } : {}),
      ...(op.protocol === "TLS" && op.alpnPolicy ? { alpnPolicy: op.alpnPolicy } : {}),
      ...(mtls ? { mutualAuthentication: mtls } : {}),
      defaultActions: op.defaultActions,
      rules: [],
    };
    ctx.observed.listeners = [...ctx.observed.listeners.filter((l) => l.arn !== arn), listener];
    const extra = certs.slice(1);
    if (extra.length > 0) {
      try {
        await call("AddListenerCertificates", () =>
          client.send(
            new AddListenerCertificatesCommand({
              ListenerArn: arn,
              Certificates: extra.map((CertificateArn) => ({ CertificateArn })),
            }),
          ),
        );
      } catch (error) {
        if (error instanceof AwsOperationError) throw new ExecutionError(error, ctx);
        throw error;
      }
      listener.certificates = { arns: [...certs], pendingSecrets: listener.certificates?.pendingSecrets ?? [] };
    }
  },

  async ModifyListener(client, op, ctx) {
    const name = op.op;
    const actions = op.defaultActions;
    const defaultActions = actions
      ? translating(name, () => toSdkActions(actions, targetGroupArn(ctx, name)))
      : undefined;
    const mtls = op.mutualAuthentication && (await resolveTrustStore(client, name, op.mutualAuthentication));
    await call(name, () =>
      client.send(
        new ModifyListenerCommand({
          ListenerArn: op.arn,
          ...(op.protocol ? { Protocol: op.protocol } : {}),
          ...(op.defaultCertificate ? { Certificates: [{ CertificateArn: op.defaultCertificate }] } : {}),
          ...(op.sslPolicy ? { SslPolicy: op.sslPolicy } : {}),
          ...(op.alpnPolicy ? { AlpnPolicy: [op.alpnPolicy] } : {}),
          ...(mtls ? { MutualAuthentication: toSdkMutualAuthentication(mtls) } : {}),
          ...(defaultActions ? { DefaultActions: defaultActions } : {}),
        }),
      ),
    );
    for (const [id, arn] of Object.entries(ctx.listenerArns)) if (arn === op.arn) delete ctx.listenerArns[id];
    ctx.listenerArns[op.listenerId] = op.arn;
    const l = ctx.observed.listeners.find((x) => x.arn === op.arn);
    if (!l) return;
    l.id = op.listenerId;
    if (op.protocol) l.protocol = op.protocol;
    if (!hasTls(l.protocol)) {
      delete l.certificates;
      delete l.sslPolicy;
      delete l.alpnPolicy;
    }
    if (op.defaultCertificate) {
      const rest = (l.certificates?.arns ?? []).slice(1).filter((a) => a !== op.defaultCertificate);
      l.certificates = {
        arns: [op.defaultCertificate, ...rest],
        pendingSecrets: l.certificates?.pendingSecrets ?? [],
      };
    }
    if (op.sslPolicy) l.sslPolicy = op.sslPolicy;
    if (op.alpnPolicy) l.alpnPolicy = op.alpnPolicy;
    if (mtls) {
      if (mtls.mode === "off") delete l.mutualAuthentication;
      else l.mutualAuthentication = mtls;
    }
    if (op.defaultActions) l.defaultActions = op.defaultActions;
  },

  async AddListenerCertificates(client, op, ctx) {
    const arn = listenerArn(ctx, op.listenerId, op.op);
    await call(op.op, () =>
      client.send(
        new AddListenerCertificatesCommand({
          ListenerArn: arn,
          Certificates: op.arns.map((CertificateArn) => ({ CertificateArn })),
        }),
      ),
    );
    const l = listenerOf(ctx, op.listenerId);
    if (l) {
      const have = l.certificates?.arns ?? [];
      l.certificates = {
        arns: [...have, ...op.arns.filter((a) => !have.includes(a))],
        pendingSecrets: l.certificates?.pendingSecrets ?? [],
      };
    }
  },

  async RemoveListenerCertificates(client, op, ctx) {
    const arn = listenerArn(ctx, op.listenerId, op.op);
    await call(op.op, () =>
      client.send(
        new RemoveListenerCertificatesCommand({
          ListenerArn: arn,
          Certificates: op.arns.map((CertificateArn) => ({ CertificateArn })),
        }),
      ),
    );
    const l = listenerOf(ctx, op.listenerId);
    if (l?.certificates) {
      const [first, ...rest] = l.certificates.arns;
      l.certificates = {
        arns: [...(first ? [first] : []), ...rest.filter((a) => !op.arns.includes(a))],
        pendingSecrets: l.certificates.pendingSecrets,
      };
    }
  },

  async DeleteListener(client, op, ctx) {
    await call(op.op, () => client.send(new DeleteListenerCommand({ ListenerArn: op.arn })), true);
    const state = ctx.observed;
    const gone = state.listeners.find((l) => l.arn === op.arn);
    state.listeners = state.listeners.filter((l) => l.arn !== op.arn);
    for (const [id, arn] of Object.entries(ctx.listenerArns)) if (arn === op.arn) delete ctx.listenerArns[id];
    const goneRules = new Set(gone?.rules.map((r) => r.arn) ?? []);
    for (const [key, arn] of Object.entries(ctx.ruleArns)) if (goneRules.has(arn)) delete ctx.ruleArns[key];
  },
};
