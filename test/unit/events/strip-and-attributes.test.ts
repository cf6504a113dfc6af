// What an event carries of an object, and the SQS FIFO ids derived from an event.
import { describe, expect, it } from "vitest";
import type { ObjectEvent, SnapshotEvent } from "../../../shared/events/event.ts";
import {
  isValidSqsId,
  messageDeduplicationId,
  messageGroupId,
  SQS_ID_MAX_LENGTH,
} from "../../../shared/events/sqs-attributes.ts";
import { LAST_APPLIED_ANNOTATION, stripObject } from "../../../shared/events/strip.ts";

describe("stripObject", () => {
  it("drops managedFields and the last-applied annotation, keeping other annotations", () => {
    const object = {
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: {
        name: "r",
        managedFields: [{ manager: "kubectl" }],
        annotations: { [LAST_APPLIED_ANNOTATION]: "{}", team: "a" },
      },
      spec: { hostnames: ["a.example"] },
    };
    expect(stripObject(object)).toEqual({
      apiVersion: "gateway.networking.k8s.io/v1",
      kind: "HTTPRoute",
      metadata: { name: "r", annotations: { team: "a" } },
      spec: { hostnames: ["a.example"] },
    });
    expect(object.metadata.managedFields).toHaveLength(1);
  });

  it("removes the annotations map when last-applied was its only entry", () => {
    const stripped = stripObject({
      kind: "Service",
      metadata: { name: "s", annotations: { [LAST_APPLIED_ANNOTATION]: "{}" } },
    });
    expect(stripped).toEqual({ kind: "Service", metadata: { name: "s" } });
  });

  it("reduces a Secret to metadata, type and the ACM fields", () => {
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls", namespace: "default" },
      type: "kubernetes.io/tls",
      data: { "tls.key": "a2V5" },
      stringData: { extra: "x" },
      immutable: true,
      acmCertificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
    };
    expect(stripObject(secret)).toEqual({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "tls", namespace: "default" },
      type: "kubernetes.io/tls",
      acmCertificateArn: "arn:aws:acm:eu-west-1:1:certificate/x",
    });
  });

  it("reduces a Node to labels, providerID, unschedulable, the Ready status and the addresses", () => {
    const node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: {
        name: "ip-10-0-1-10",
        uid: "u-n",
        resourceVersion: "7",
        labels: { pool: "web" },
        annotations: { "volumes.kubernetes.io/controller-managed-attach-detach": "true" },
        managedFields: [{ manager: "kubelet" }],
      },
      spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0", unschedulable: true, podCIDR: "10.244.0.0/24" },
      status: {
        conditions: [
          { type: "MemoryPressure", status: "False", lastHeartbeatTime: "2026-01-01T00:00:00Z" },
          { type: "Ready", status: "True", reason: "KubeletReady", lastHeartbeatTime: "2026-01-01T00:00:00Z" },
        ],
        addresses: [{ type: "InternalIP", address: "10.0.1.10" }],
        capacity: { cpu: "2" },
        images: [{ names: ["x"] }],
      },
    };
    expect(stripObject(node)).toEqual({
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "ip-10-0-1-10", uid: "u-n", resourceVersion: "7", labels: { pool: "web" } },
      spec: { providerID: "aws:///us-east-1a/i-0123456789abcdef0", unschedulable: true },
      status: {
        conditions: [{ type: "Ready", status: "True" }],
        addresses: [{ type: "InternalIP", address: "10.0.1.10" }],
      },
    });
  });
});

const event: ObjectEvent = {
  schemaVersion: 1,
  clusterId: "prod",
  kind: { group: "gateway.networking.k8s.io", version: "v1", kind: "Gateway" },
  op: "upsert",
  namespace: "default",
  name: "web",
  uid: "u-1",
  resourceVersion: "10",
  object: {},
};

describe("SQS FIFO attributes", () => {
  it("groups by cluster/kind/namespace/name", () => {
    expect(messageGroupId(event)).toBe("prod/Gateway/default/web");
    const { namespace: _namespace, ...clusterScoped } = event;
    expect(messageGroupId({ ...clusterScoped, kind: { group: "", version: "v1", kind: "Namespace" } })).toBe(
      "prod/Namespace//web",
    );
  });

  it("keeps a long group id within 128 characters, distinct per object", () => {
    const long = { ...event, name: "n".repeat(253), namespace: "a".repeat(63) };
    const other = { ...long, name: `${"n".repeat(252)}m` };
    expect(isValidSqsId(messageGroupId(long))).toBe(true);
    expect(messageGroupId(long).length).toBeLessThanOrEqual(SQS_ID_MAX_LENGTH);
    expect(messageGroupId(long)).not.toBe(messageGroupId(other));
  });

  it("derives the deduplication id from uid, resourceVersion and op only", () => {
    const id = messageDeduplicationId(event);
    expect(isValidSqsId(id)).toBe(true);
    expect(messageDeduplicationId({ ...event, object: { changed: true } })).toBe(id);
    expect(messageDeduplicationId({ ...event, op: "delete" })).not.toBe(id);
    expect(messageDeduplicationId({ ...event, resourceVersion: "11" })).not.toBe(id);
    // A retraction and a real delete at the same version are different messages.
    const realDelete = messageDeduplicationId({ ...event, op: "delete" });
    expect(messageDeduplicationId({ ...event, op: "delete", retraction: true })).not.toBe(realDelete);
    expect(messageDeduplicationId({ ...event, op: "delete", retraction: true })).not.toBe(id);
  });

  it("sets a deliberate re-send of the same version apart by its occasion", () => {
    const id = messageDeduplicationId(event);
    const first = messageDeduplicationId(event, "referenced-boot-1");
    expect(first).not.toBe(id);
    expect(messageDeduplicationId(event, "referenced-boot-2")).not.toBe(first);
    expect(messageDeduplicationId(event, "referenced-boot-1")).toBe(first);
    expect(isValidSqsId(first)).toBe(true);
  });

  it("gives each snapshot its own deduplication id and one group per kind", () => {
    const snapshot: SnapshotEvent = {
      schemaVersion: 1,
      clusterId: "prod",
      kind: event.kind,
      op: "snapshot",
      snapshotId: "boot-1",
      resourceVersion: "10",
      items: [],
    };
    expect(messageGroupId(snapshot)).toBe("prod/Gateway");
    expect(messageDeduplicationId(snapshot)).not.toBe(messageDeduplicationId({ ...snapshot, snapshotId: "boot-2" }));
    expect(isValidSqsId(messageDeduplicationId(snapshot))).toBe(true);
  });
});
