// The Lattice emulator's test-only fault hook and call log: the next N calls of an operation fail
// with a chosen error, before the operation runs or after it ran (its answer lost), for any
// account or one; the SDK's real retry logic handles them. The call log records each call's
// account, operation and outcome, so reconcile tests can count calls.
import {
  CreateRuleCommand,
  CreateServiceCommand,
  DeleteRuleCommand,
  GetRuleCommand,
  ListServicesCommand,
  ListTargetGroupsCommand,
  type VPCLatticeClient,
} from "@aws-sdk/client-vpc-lattice";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { countCalls } from "../env/clients.ts";
import {
  ACCOUNT_A,
  ACCOUNT_B,
  Clients,
  control,
  createListener,
  createService,
  failure,
  KEYS,
  resetLattice,
} from "./lattice-fixture.ts";

describe("Lattice emulator faults and call log", () => {
  const clients = new Clients();
  let client: VPCLatticeClient;

  beforeAll(() => {
    client = clients.open(KEYS.a);
  });
  afterAll(() => clients.close());
  beforeEach(() => resetLattice({ asyncSteps: 0 }));

  it("the SDK retries through N injected ThrottlingExceptions, and the call log shows every attempt", async () => {
    const retrying = clients.open(KEYS.a, { maxAttempts: 3 });
    await control().injectFault({ operation: "CreateService", error: "ThrottlingException", count: 2 });
    const created = await retrying.send(new CreateServiceCommand({ name: "web" }));
    expect(created.$metadata.attempts).toBe(3);
    expect((await client.send(new ListServicesCommand({}))).items).toHaveLength(1);
    const calls = (await control().calls()).filter((call) => call.operation === "CreateService");
    expect(calls.map((call) => [call.status, call.error ?? null, call.fault ?? false])).toEqual([
      [429, "ThrottlingException", true],
      [429, "ThrottlingException", true],
      [201, null, false],
    ]);
    const faults = await control().faults();
    expect(faults.pending).toEqual([]);
    expect(faults.injected.map((fault) => fault.operation)).toEqual(["CreateService", "CreateService"]);
  });

  it("without retries left, the SDK surfaces the ThrottlingException with status 429 and Retry-After", async () => {
    await control().injectFault({ operation: "ListServices", error: "ThrottlingException", retryAfterSeconds: 7 });
    const error = await failure(client.send(new ListServicesCommand({})));
    expect(error).toMatchObject({
      name: "ThrottlingException",
      $metadata: { httpStatusCode: 429 },
      $retryable: { throttling: true },
      retryAfterSeconds: 7,
    });
    expect((await client.send(new ListServicesCommand({}))).items).toEqual([]);
  });

  it("a server error with a chosen status is retried by the SDK like any 5xx", async () => {
    const retrying = clients.open(KEYS.a, { maxAttempts: 2 });
    await control().injectFault({ operation: "ListTargetGroups", error: "InternalServerException", status: 503 });
    const listed = await retrying.send(new ListTargetGroupsCommand({}));
    expect(listed.$metadata.attempts).toBe(2);
    const [first] = (await control().calls()).filter((call) => call.operation === "ListTargetGroups");
    expect(first).toMatchObject({ status: 503, error: "InternalServerException", fault: true });
  });

  it("an 'after' fault applies the call and loses its answer", async () => {
    const service = await createService(client, "web");
    const listener = await createListener(client, String(service.id));
    const ids = { serviceIdentifier: service.id, listenerIdentifier: listener.id };
    const rule = await client.send(
      new CreateRuleCommand({
        ...ids,
        name: "api",
        priority: 1,
        match: { httpMatch: { method: "GET" } },
        action: { fixedResponse: { statusCode: 404 } },
      }),
    );
    await control().injectFault({ operation: "DeleteRule", error: "InternalServerException", when: "after" });
    const lost = await failure(client.send(new DeleteRuleCommand({ ...ids, ruleIdentifier: rule.id })));
    expect(lost).toMatchObject({ name: "InternalServerException", $metadata: { httpStatusCode: 500 } });
    expect((await failure(client.send(new GetRuleCommand({ ...ids, ruleIdentifier: rule.id })))).name).toBe(
      "ResourceNotFoundException",
    );
  });

  it("a fault can be limited to one account", async () => {
    const other = clients.open(KEYS.b);
    await control().injectFault({ operation: "ListServices", error: "AccessDeniedException", account: ACCOUNT_B });
    expect((await client.send(new ListServicesCommand({}))).items).toEqual([]);
    expect((await failure(other.send(new ListServicesCommand({})))).name).toBe("AccessDeniedException");
    expect((await other.send(new ListServicesCommand({}))).items).toEqual([]);
  });

  it("the call log counts calls per account and operation, from any point on", async () => {
    const other = clients.open(KEYS.b);
    await createService(client, "web");
    const [mark] = (await control().calls()).slice(-1);
    await client.send(new ListServicesCommand({}));
    await client.send(new ListServicesCommand({}));
    await other.send(new ListServicesCommand({}));
    await failure(other.send(new CreateServiceCommand({ name: "x" })));
    expect(countCalls(await control().calls({ account: ACCOUNT_A }))).toEqual({ CreateService: 1, ListServices: 2 });
    expect(countCalls(await control().calls({ since: mark?.seq }))).toEqual({ ListServices: 3, CreateService: 1 });
    const theirs = await control().calls({ account: ACCOUNT_B });
    expect(theirs.map((call) => [call.operation, call.status, call.error ?? null])).toEqual([
      ["ListServices", 200, null],
      ["CreateService", 400, "ValidationException"],
    ]);
    expect(theirs[0]).toMatchObject({ accessKeyId: KEYS.b.accessKeyId, region: "us-east-1" });
    await control().clearCalls();
    expect(await control().calls()).toEqual([]);
  });
});
