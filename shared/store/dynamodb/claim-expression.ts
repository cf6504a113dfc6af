/**
 * A claim (StateStore.claim) as one UpdateItem: the claim rules of ../claim.ts as its condition,
 * the lease and the `applying` marker as its update, and the item as it was in both answers
 * (`ReturnValues` on success, `ReturnValuesOnConditionCheckFailure` on refusal, which costs no read).
 */
import type { AttributeValue, UpdateItemCommandInput } from "@aws-sdk/client-dynamodb";
import type { ClaimRequest } from "../state.ts";
import { LEASE_ATTRIBUTES } from "./lease-item.ts";
import { APPLIED_ENCODING, encodeApplied, RECORD_ATTRIBUTES } from "./state-item.ts";

/** isLeaseFree: never held or released (no expiry), expired, or already this owner's. */
export const FREE_CONDITION = "(attribute_not_exists(#expiresAt) OR #expiresAt < :now OR #owner = :owner)";

/**
 * isCurrent, for a `checkedAfter` ≥ 0; below 0 a record never drift-checked (counted as checked at
 * 0) is current too, which the store adds (see currentCondition).
 */
const CURRENT_CONDITION =
  "#appliedHash = :appliedHash AND attribute_not_exists(#applyingStartedAt) AND #lastDriftCheck > :checkedAfter";

export function currentCondition(checkedAfter: number): string {
  return checkedAfter < 0
    ? CURRENT_CONDITION.replace(
        "#lastDriftCheck > :checkedAfter",
        "(attribute_not_exists(#lastDriftCheck) OR #lastDriftCheck > :checkedAfter)",
      )
    : CURRENT_CONDITION;
}

/**
 * The lease (a token one above the item's, or 1), the marker, the record's fencing token (the new
 * lease's: the marker is written under it) and, only where the item has none, the record's other
 * fields from `request.initial`.
 */
const CLAIM_UPDATE = [
  "SET #gatewayKey = :gatewayKey",
  "#owner = :owner",
  "#expiresAt = :expiresAt",
  "#token = if_not_exists(#token, :zero) + :one",
  "#fencingToken = if_not_exists(#token, :zero) + :one",
  "#applyingStartedAt = :startedAt",
  "#applyingDesiredHash = :desiredHash",
  "#applyingCallsLandBy = :callsLandBy",
  "#dataPlane = if_not_exists(#dataPlane, :dataPlane)",
  "#account = if_not_exists(#account, :account)",
  "#region = if_not_exists(#region, :region)",
  "#applied = if_not_exists(#applied, :applied)",
  "#appliedEncoding = if_not_exists(#appliedEncoding, :appliedEncoding)",
].join(", ");

/** The UpdateItem input of a claim, without table and key. */
export function claimInput(
  request: ClaimRequest<unknown>,
  expiresAt: number,
): Omit<UpdateItemCommandInput, "TableName" | "Key"> {
  const names: Record<string, string> = {
    "#gatewayKey": LEASE_ATTRIBUTES.gatewayKey,
    "#owner": LEASE_ATTRIBUTES.owner,
    "#expiresAt": LEASE_ATTRIBUTES.expiresAt,
    "#token": LEASE_ATTRIBUTES.token,
    "#fencingToken": RECORD_ATTRIBUTES.fencingToken,
    "#applyingStartedAt": RECORD_ATTRIBUTES.applyingStartedAt,
    "#applyingDesiredHash": RECORD_ATTRIBUTES.applyingDesiredHash,
    "#applyingCallsLandBy": RECORD_ATTRIBUTES.applyingCallsLandBy,
    "#dataPlane": RECORD_ATTRIBUTES.dataPlane,
    "#account": RECORD_ATTRIBUTES.account,
    "#region": RECORD_ATTRIBUTES.region,
    "#applied": RECORD_ATTRIBUTES.applied,
    "#appliedEncoding": RECORD_ATTRIBUTES.appliedEncoding,
  };
  const values: Record<string, AttributeValue> = {
    ":gatewayKey": { S: request.gatewayKey },
    ":owner": { S: request.owner },
    ":expiresAt": { N: String(expiresAt) },
    ":now": { N: String(request.now) },
    ":zero": { N: "0" },
    ":one": { N: "1" },
    ":startedAt": { N: String(request.applying.startedAt) },
    ":desiredHash": { S: request.applying.desiredHash },
    ":callsLandBy": { N: String(request.applying.callsLandBy) },
    ":dataPlane": { S: request.initial.dataPlane },
    ":account": { S: request.initial.account },
    ":region": { S: request.initial.region },
    ":applied": { B: encodeApplied(request.initial.applied).gzip },
    ":appliedEncoding": { S: APPLIED_ENCODING },
  };
  let condition = FREE_CONDITION;
  const current = request.unlessCurrent;
  if (current !== undefined) {
    names["#appliedHash"] = RECORD_ATTRIBUTES.appliedHash;
    names["#lastDriftCheck"] = RECORD_ATTRIBUTES.lastDriftCheck;
    values[":appliedHash"] = { S: current.appliedHash };
    values[":checkedAfter"] = { N: String(current.checkedAfter) };
    condition = `${FREE_CONDITION} AND NOT (${currentCondition(current.checkedAfter)})`;
  }
  if (request.planes !== undefined) {
    // A record of another data plane is left to that plane's reconcile (ClaimRequest.planes).
    const planes = request.planes.map((plane, i) => {
      values[`:plane${i}`] = { S: plane };
      return `:plane${i}`;
    });
    condition = `${condition} AND (attribute_not_exists(#dataPlane) OR #dataPlane IN (${planes.join(", ")}))`;
  }
  return {
    UpdateExpression: CLAIM_UPDATE,
    ConditionExpression: condition,
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: "ALL_OLD",
    ReturnValuesOnConditionCheckFailure: "ALL_OLD",
  };
}
