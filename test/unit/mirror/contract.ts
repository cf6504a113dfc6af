// The behaviour every ObjectMirror must have: the in-memory twin runs it in the unit tier
// (memory.test.ts), the DynamoDB mirror on DynamoDB Local (test/integration/mirror-dynamodb.test.ts).
import { randomBytes } from "node:crypto";
import { beforeEach, describe, expect, test } from "vitest";
import type { KubeObjectJson } from "../../../shared/events/event.ts";
import { type ObjectMirror, type ObjectRef, ObjectTooLarge } from "../../../shared/mirror/object-mirror.ts";

/** Returns a fresh, empty mirror; called before each test. */
export type MirrorFactory = () => Promise<ObjectMirror>;

export const NOW = Date.UTC(2026, 0, 1);
const CLUSTER = "cluster-a";

export function serviceRef(name: string, namespace = "default", cluster = CLUSTER): ObjectRef {
  return { cluster, kind: "Service", namespace, name };
}

export function serviceObject(name: string, resourceVersion: bigint, namespace = "default", port = 80): KubeObjectJson {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace, uid: `uid-${name}`, resourceVersion: resourceVersion.toString() },
    spec: { ports: [{ port }] },
  };
}

export function mirrorContract(createMirror: MirrorFactory): void {
  let mirror: ObjectMirror;

  beforeEach(async () => {
    mirror = await createMirror();
  });

  async function put(name: string, rv: bigint, namespace = "default", port = 80) {
    return mirror.upsert(serviceRef(name, namespace), `uid-${name}`, rv, serviceObject(name, rv, namespace, port));
  }

  async function versionOf(name: string, namespace = "default"): Promise<bigint | undefined> {
    return (await mirror.get(serviceRef(name, namespace)))?.resourceVersion;
  }

  describe("upsert", () => {
    test("a new object is stored with its resourceVersion and content", async () => {
      expect(await put("web", 5n)).toEqual({ outcome: "applied", previous: undefined });
      const stored = await mirror.get(serviceRef("web"));
      expect(stored).toEqual({
        ref: serviceRef("web"),
        uid: "uid-web",
        resourceVersion: 5n,
        object: serviceObject("web", 5n),
      });
    });

    test("a newer version replaces the object and reports the one it replaced", async () => {
      await put("web", 5n);
      expect(await put("web", 7n, "default", 8080)).toEqual({ outcome: "applied", previous: serviceObject("web", 5n) });
      expect((await mirror.get(serviceRef("web")))?.object).toEqual(serviceObject("web", 7n, "default", 8080));
    });

    test("an older version is stale and changes nothing", async () => {
      await put("web", 7n);
      expect(await put("web", 5n, "default", 9999)).toEqual({ outcome: "stale" });
      expect((await mirror.get(serviceRef("web")))?.object).toEqual(serviceObject("web", 7n));
    });

    test("a replay of the same version is stale", async () => {
      await put("web", 7n);
      expect(await put("web", 7n, "default", 9999)).toEqual({ outcome: "stale" });
      expect((await mirror.get(serviceRef("web")))?.object).toEqual(serviceObject("web", 7n));
    });

    test("resourceVersions compare as integers, not text (10 is newer than 9)", async () => {
      await put("web", 9n);
      expect((await put("web", 10n)).outcome).toBe("applied");
      expect((await put("web", 9n)).outcome).toBe("stale");
      expect(await versionOf("web")).toBe(10n);
    });

    test("objects of the same name in other namespaces, kinds and clusters are separate", async () => {
      await put("web", 5n, "default");
      await put("web", 3n, "other");
      await mirror.upsert(
        { cluster: "cluster-b", kind: "Service", namespace: "default", name: "web" },
        "u",
        1n,
        serviceObject("web", 1n),
      );
      expect(await versionOf("web", "default")).toBe(5n);
      expect(await versionOf("web", "other")).toBe(3n);
      expect((await mirror.listKind("cluster-b", "Service")).map((o) => o.resourceVersion)).toEqual([1n]);
      expect(await mirror.listKind(CLUSTER, "Secret")).toEqual([]);
    });

    test("an object too large for an item even compressed is refused with ObjectTooLarge", async () => {
      // Random bytes do not compress: 600 KB of them in base64 stays over the 400 KB item limit.
      const object = { ...serviceObject("big", 1n), spec: { noise: randomBytes(450_000).toString("base64") } };
      await expect(mirror.upsert(serviceRef("big"), "u", 1n, object)).rejects.toBeInstanceOf(ObjectTooLarge);
      expect(await mirror.get(serviceRef("big"))).toBeUndefined();
    });

    test("a large but compressible object (a 1 MB EndpointSlice-like list) is stored", async () => {
      const endpoints = Array.from({ length: 8000 }, (_, i) => ({
        addresses: [`10.0.${i >> 8}.${i & 255}`],
        conditions: { ready: true },
      }));
      const object = { ...serviceObject("wide", 1n), spec: { endpoints } };
      expect(JSON.stringify(object).length).toBeGreaterThan(400 * 1024);
      expect((await mirror.upsert(serviceRef("wide"), "u", 1n, object)).outcome).toBe("applied");
      expect((await mirror.get(serviceRef("wide")))?.object).toEqual(object);
    });
  });

  describe("delete", () => {
    test("a delete removes the live object and reports its last content", async () => {
      await put("web", 5n);
      expect(await mirror.delete(serviceRef("web"), "uid-web", 6n, NOW)).toEqual({
        outcome: "applied",
        previous: serviceObject("web", 5n),
      });
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
      expect(await mirror.listKind(CLUSTER, "Service")).toEqual([]);
    });

    test("an upsert older than the delete does not resurrect the object", async () => {
      await put("web", 5n);
      await mirror.delete(serviceRef("web"), "uid-web", 8n, NOW);
      expect(await put("web", 7n)).toEqual({ outcome: "stale" });
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a delete arriving before any upsert still blocks the older upsert", async () => {
      expect((await mirror.delete(serviceRef("web"), "uid-web", 8n, NOW)).outcome).toBe("applied");
      expect((await put("web", 5n)).outcome).toBe("stale");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a delete wins a tie with the upsert of the same resourceVersion", async () => {
      await put("web", 5n);
      expect((await mirror.delete(serviceRef("web"), "uid-web", 5n, NOW)).outcome).toBe("applied");
      expect((await put("web", 5n)).outcome).toBe("stale");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a replayed or older delete is stale", async () => {
      await mirror.delete(serviceRef("web"), "uid-web", 8n, NOW);
      expect(await mirror.delete(serviceRef("web"), "uid-web", 8n, NOW)).toEqual({ outcome: "stale" });
      expect(await mirror.delete(serviceRef("web"), "uid-web", 3n, NOW)).toEqual({ outcome: "stale" });
    });

    test("a delete older than the live object changes nothing", async () => {
      await put("web", 9n);
      expect(await mirror.delete(serviceRef("web"), "uid-web", 8n, NOW)).toEqual({ outcome: "stale" });
      expect(await versionOf("web")).toBe(9n);
    });

    test("a newer upsert after a delete (the object recreated) is stored", async () => {
      await put("web", 5n);
      await mirror.delete(serviceRef("web"), "uid-web", 6n, NOW);
      expect(await put("web", 9n)).toEqual({ outcome: "applied", previous: undefined });
      expect(await versionOf("web")).toBe(9n);
    });
  });

  describe("retract", () => {
    const retract = (name: string, rv: bigint) => mirror.retract(serviceRef(name), `uid-${name}`, rv, NOW);

    test("a retraction at the object's own version removes it and reports its last content", async () => {
      await put("web", 5n);
      expect(await retract("web", 5n)).toEqual({ outcome: "applied", previous: serviceObject("web", 5n) });
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
      expect(await mirror.listKind(CLUSTER, "Service")).toEqual([]);
    });

    test("an upsert of the same uid and version after a retraction brings the object back", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      expect(await put("web", 5n)).toEqual({ outcome: "applied", previous: undefined });
      expect(await mirror.get(serviceRef("web"))).toEqual({
        ref: serviceRef("web"),
        uid: "uid-web",
        resourceVersion: 5n,
        object: serviceObject("web", 5n),
      });
    });

    test("a newer upsert after a retraction is stored; an older one is stale", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      expect((await put("web", 4n)).outcome).toBe("stale");
      expect((await put("web", 7n)).outcome).toBe("applied");
      expect(await versionOf("web")).toBe(7n);
    });

    test("an upsert of another uid at the retracted version stays stale", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      const other = mirror.upsert(serviceRef("web"), "uid-other", 5n, serviceObject("web", 5n));
      expect((await other).outcome).toBe("stale");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a real delete's same-version replay stays stale (only a retraction lets it back)", async () => {
      await put("web", 5n);
      await mirror.delete(serviceRef("web"), "uid-web", 5n, NOW);
      expect(await put("web", 5n)).toEqual({ outcome: "stale" });
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a real delete at the retracted version turns the retraction into a deletion", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      expect((await mirror.delete(serviceRef("web"), "uid-web", 5n, NOW)).outcome).toBe("applied");
      expect((await put("web", 5n)).outcome).toBe("stale");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a retraction does not undo a real delete at its version", async () => {
      await put("web", 5n);
      await mirror.delete(serviceRef("web"), "uid-web", 5n, NOW);
      expect(await retract("web", 5n)).toEqual({ outcome: "stale" });
      expect((await put("web", 5n)).outcome).toBe("stale");
    });

    test("a replayed or older retraction is stale", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      expect(await retract("web", 5n)).toEqual({ outcome: "stale" });
      expect(await retract("web", 4n)).toEqual({ outcome: "stale" });
    });

    test("a retraction older than the live object changes nothing", async () => {
      await put("web", 9n);
      expect(await retract("web", 8n)).toEqual({ outcome: "stale" });
      expect(await versionOf("web")).toBe(9n);
    });

    // Decided: a retraction redelivered after the revival it preceded (a redrive) must not take a
    // referenced object away, so a retraction at the version the object was revived at is stale.
    // A genuine second retraction at that version (unreferenced again, unchanged) is therefore left
    // to the kind's next snapshot, which retracts what it does not list.
    test("a duplicate retraction after the object was revived at its version is stale", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      await put("web", 5n);
      expect(await retract("web", 5n)).toEqual({ outcome: "stale" });
      expect(await versionOf("web")).toBe(5n);
    });

    test("once a revived object changes, a retraction at its new version applies again", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      await put("web", 5n);
      await put("web", 6n);
      expect((await retract("web", 6n)).outcome).toBe("applied");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });

    test("a revived object is still replaced by a real delete at its version", async () => {
      await put("web", 5n);
      await retract("web", 5n);
      await put("web", 5n);
      expect((await mirror.delete(serviceRef("web"), "uid-web", 5n, NOW)).outcome).toBe("applied");
      expect(await mirror.get(serviceRef("web"))).toBeUndefined();
    });
  });

  describe("applySnapshot", () => {
    const snapshot = (items: string[], resourceVersion: bigint, namespaces?: string[]) => ({
      cluster: CLUSTER,
      kind: "Service" as const,
      items: items.map((entry) => {
        const [namespace = "", name = ""] = entry.split("/");
        return { namespace, name, uid: `uid-${name}`, resourceVersion: "1" };
      }),
      resourceVersion,
      ...(namespaces === undefined ? {} : { namespaces }),
    });

    test("a kind counts as synced for its cluster only once a snapshot of it was applied", async () => {
      expect(await mirror.syncedKinds(CLUSTER)).toEqual(new Set());
      await put("web", 3n);
      expect(await mirror.syncedKinds(CLUSTER)).toEqual(new Set());
      await mirror.applySnapshot(snapshot(["default/web"], 10n), NOW);
      expect(await mirror.syncedKinds(CLUSTER)).toEqual(new Set(["Service"]));
      expect(await mirror.syncedKinds("cluster-b")).toEqual(new Set());
    });

    test("an object absent from the snapshot and not newer than it is tombstoned", async () => {
      await put("kept", 3n);
      await put("gone", 4n);
      const tombstoned = await mirror.applySnapshot(snapshot(["default/kept"], 10n), NOW);
      expect(tombstoned).toEqual([{ ref: serviceRef("gone"), previous: serviceObject("gone", 4n) }]);
      expect((await mirror.listKind(CLUSTER, "Service")).map((o) => o.ref.name)).toEqual(["kept"]);
    });

    test("an object newer than the snapshot survives it", async () => {
      await put("fresh", 12n);
      expect(await mirror.applySnapshot(snapshot([], 10n), NOW)).toEqual([]);
      expect(await versionOf("fresh")).toBe(12n);
    });

    test("an upsert not newer than the snapshot cannot resurrect what it tombstoned", async () => {
      await put("gone", 4n);
      await mirror.applySnapshot(snapshot([], 10n), NOW);
      expect((await put("gone", 9n)).outcome).toBe("stale");
      expect((await put("gone", 11n)).outcome).toBe("applied");
    });

    test("a snapshot limited to namespaces leaves other namespaces alone", async () => {
      await put("a", 3n, "team-a");
      await put("b", 3n, "team-b");
      await mirror.applySnapshot(snapshot([], 10n, ["team-a"]), NOW);
      expect(await versionOf("a", "team-a")).toBeUndefined();
      expect(await versionOf("b", "team-b")).toBe(3n);
    });

    describe("of Secrets, which list only the referenced ones", () => {
      const secretRef = (name: string): ObjectRef => ({ cluster: CLUSTER, kind: "Secret", namespace: "default", name });
      const secret = (name: string, rv: bigint): KubeObjectJson => ({
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv.toString() },
        type: "kubernetes.io/tls",
      });
      const putSecret = (name: string, rv: bigint) =>
        mirror.upsert(secretRef(name), `uid-${name}`, rv, secret(name, rv));
      const secretSnapshot = (names: string[], resourceVersion: bigint) => ({
        cluster: CLUSTER,
        kind: "Secret" as const,
        items: names.map((name) => ({ namespace: "default", name, uid: `uid-${name}`, resourceVersion: "1" })),
        resourceVersion,
      });

      test("an unlisted Secret is retracted at its own version: a later upsert of that version brings it back", async () => {
        await putSecret("tls", 4n);
        await putSecret("kept", 3n);
        const tombstoned = await mirror.applySnapshot(secretSnapshot(["kept"], 10n), NOW);
        expect(tombstoned).toEqual([{ ref: secretRef("tls"), previous: secret("tls", 4n) }]);
        expect(await mirror.get(secretRef("tls"))).toBeUndefined();
        expect(await putSecret("tls", 4n)).toEqual({ outcome: "applied", previous: undefined });
        expect((await mirror.get(secretRef("tls")))?.resourceVersion).toBe(4n);
      });

      test("an upsert older than the Secret's own version stays stale after the snapshot", async () => {
        await putSecret("tls", 4n);
        await mirror.applySnapshot(secretSnapshot([], 10n), NOW);
        expect((await putSecret("tls", 3n)).outcome).toBe("stale");
      });

      test("a Secret newer than the snapshot survives it", async () => {
        await putSecret("tls", 12n);
        expect(await mirror.applySnapshot(secretSnapshot([], 10n), NOW)).toEqual([]);
        expect((await mirror.get(secretRef("tls")))?.resourceVersion).toBe(12n);
      });

      // The race of a snapshot and a new reference: the snapshot, taken while the Secret was
      // unreferenced, travels in its kind's FIFO group and may be ingested after the upsert the
      // new reference caused, which travels in the Secret's own group.
      describe("and the references they reflect (referrerVersions)", () => {
        const gatewayAt = (resourceVersion: bigint, namespace?: string) => ({
          kind: "Gateway",
          ...(namespace === undefined ? {} : { namespace }),
          resourceVersion,
        });
        const putReferenced = (name: string, rv: bigint, referencedAt: bigint) =>
          mirror.upsert(secretRef(name), `uid-${name}`, rv, secret(name, rv), gatewayAt(referencedAt, "default"));
        const seenUpTo = (
          names: string[],
          resourceVersion: bigint,
          ...referrerVersions: ReturnType<typeof gatewayAt>[]
        ) => ({
          ...secretSnapshot(names, resourceVersion),
          referrerVersions,
        });

        test("a snapshot taken before the revival it arrives after does not retract the revived Secret", async () => {
          await putReferenced("tls", 4n, 8n);
          await mirror.retract(secretRef("tls"), "uid-tls", 4n, NOW);
          // Referenced again by the Gateway at version 20; the snapshot's Gateway watch stood at 15.
          expect((await putReferenced("tls", 4n, 20n)).outcome).toBe("applied");
          expect(await mirror.applySnapshot(seenUpTo([], 30n, gatewayAt(15n)), NOW)).toEqual([]);
          expect((await mirror.get(secretRef("tls")))?.resourceVersion).toBe(4n);
        });

        test("a snapshot taken before a first reference does not retract the newly forwarded Secret", async () => {
          await putReferenced("tls", 4n, 20n);
          expect(await mirror.applySnapshot(seenUpTo([], 30n, gatewayAt(19n)), NOW)).toEqual([]);
          expect((await mirror.get(secretRef("tls")))?.referencedBy).toEqual(gatewayAt(20n, "default"));
        });

        test("a snapshot whose watch had seen the reference retracts the unlisted Secret", async () => {
          await putReferenced("tls", 4n, 20n);
          const tombstoned = await mirror.applySnapshot(seenUpTo([], 30n, gatewayAt(20n)), NOW);
          expect(tombstoned).toEqual([{ ref: secretRef("tls"), previous: secret("tls", 4n) }]);
          expect(await mirror.get(secretRef("tls"))).toBeUndefined();
        });

        test("only the watch of the referrer's kind and namespace (or a cluster-wide one) counts", async () => {
          await putReferenced("tls", 4n, 20n);
          const otherWatches = seenUpTo([], 30n, gatewayAt(99n, "other"), {
            kind: "BackendTLSPolicy",
            resourceVersion: 99n,
          });
          expect(await mirror.applySnapshot(otherWatches, NOW)).toEqual([]);
          expect(await mirror.applySnapshot(secretSnapshot([], 30n), NOW)).toEqual([]);
          expect(await mirror.applySnapshot(seenUpTo([], 30n, gatewayAt(25n, "default")), NOW)).toHaveLength(1);
        });

        test("a revived Secret unreferenced again is retracted by the next snapshot that saw its reference", async () => {
          await putReferenced("tls", 4n, 8n);
          await mirror.retract(secretRef("tls"), "uid-tls", 4n, NOW);
          await putReferenced("tls", 4n, 20n);
          // The genuine second retraction at the same version is refused (it looks like a redrive)...
          expect((await mirror.retract(secretRef("tls"), "uid-tls", 4n, NOW)).outcome).toBe("stale");
          // ...and the next snapshot, taken after the reference went, takes the Secret away.
          expect(await mirror.applySnapshot(seenUpTo([], 30n, gatewayAt(24n)), NOW)).toHaveLength(1);
          expect(await mirror.get(secretRef("tls"))).toBeUndefined();
        });
      });
    });

    test("a snapshot of one kind leaves other kinds alone", async () => {
      await mirror.upsert({ cluster: CLUSTER, kind: "Secret", namespace: "default", name: "tls" }, "u", 2n, {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "tls", namespace: "default" },
      });
      await mirror.applySnapshot(snapshot([], 10n), NOW);
      expect(await mirror.listKind(CLUSTER, "Secret")).toHaveLength(1);
    });
  });

  describe("loadCluster", () => {
    test("returns the live objects of every kind of one cluster, nothing tombstoned, nothing of other clusters", async () => {
      await put("web", 5n);
      await put("gone", 5n);
      await mirror.delete(serviceRef("gone"), "uid-gone", 6n, NOW);
      const ns: KubeObjectJson = { apiVersion: "v1", kind: "Namespace", metadata: { name: "default" } };
      await mirror.upsert({ cluster: CLUSTER, kind: "Namespace", name: "default" }, "u", 1n, ns);
      await mirror.upsert(serviceRef("other", "default", "cluster-b"), "u", 1n, serviceObject("other", 1n));
      const loaded = await mirror.loadCluster(CLUSTER);
      expect(loaded).toHaveLength(2);
      expect(loaded).toContainEqual(serviceObject("web", 5n));
      expect(loaded).toContainEqual(ns);
    });
  });
}
