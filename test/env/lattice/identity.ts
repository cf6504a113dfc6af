// Who is calling: the access key id and region from a request's SigV4 Authorization header
// (signatures are not verified), and the account that key belongs to. The account comes from the
// table tests set (PUT /_lattice/accounts), else from moto's STS when moto runs (keys moto issued
// through AssumeRole act in the role's account, as they do against moto), else the default account.
import { log } from "../process.ts";
import { DEFAULT_ACCOUNT_ID, DEFAULT_REGION } from "./state.ts";

export interface Credential {
  accessKeyId: string;
  region: string;
}

const CREDENTIAL = /Credential=([^/,\s]+)\/\d{8}\/([a-z0-9-]+)\/[^/]+\/aws4_request/;

/** The credential scope of a SigV4 Authorization header, or undefined if there is none. */
export function credentialOf(authorization: string | undefined): Credential | undefined {
  if (authorization === undefined || !authorization.startsWith("AWS4-HMAC-SHA256 ")) return undefined;
  const match = CREDENTIAL.exec(authorization);
  if (match === null) return undefined;
  return { accessKeyId: match[1] ?? "", region: match[2] ?? DEFAULT_REGION };
}

export class Identities {
  readonly #table = new Map<string, string>();
  readonly #fromMoto = new Map<string, string>();
  #motoEndpoint: string | undefined;

  /** Where access keys the table does not know are looked up (moto's STS GetCallerIdentity). */
  connectMoto(endpoint: string): void {
    this.#motoEndpoint = endpoint;
  }

  map(entries: Record<string, string>): void {
    for (const [accessKeyId, account] of Object.entries(entries)) this.#table.set(accessKeyId, account);
  }

  table(): Record<string, string> {
    return Object.fromEntries(this.#table);
  }

  clear(): void {
    this.#table.clear();
    this.#fromMoto.clear();
  }

  async accountOf(accessKeyId: string): Promise<string> {
    const mapped = this.#table.get(accessKeyId) ?? this.#fromMoto.get(accessKeyId);
    if (mapped !== undefined) return mapped;
    if (this.#motoEndpoint === undefined) return DEFAULT_ACCOUNT_ID;
    const account = await this.#askMoto(this.#motoEndpoint, accessKeyId);
    if (account === undefined) return DEFAULT_ACCOUNT_ID;
    this.#fromMoto.set(accessKeyId, account);
    return account;
  }

  /** moto reads the caller from the Authorization header's access key and checks no signature. */
  async #askMoto(endpoint: string, accessKeyId: string): Promise<string | undefined> {
    try {
      const response = await fetch(new URL("/?Action=GetCallerIdentity&Version=2011-06-15", endpoint), {
        headers: {
          authorization: `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${DEFAULT_REGION}/sts/aws4_request, SignedHeaders=host, Signature=0`,
        },
        signal: AbortSignal.timeout(5_000),
      });
      const text = await response.text();
      const account = /<Account>(\d{12})<\/Account>/.exec(text)?.[1];
      if (response.status === 200 && account !== undefined) return account;
      log("lattice", `moto STS did not name the account of ${accessKeyId}: HTTP ${response.status}`);
    } catch (error) {
      log(
        "lattice",
        `moto STS lookup of ${accessKeyId} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
    return undefined;
  }
}
