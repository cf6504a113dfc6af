/**
 * Uploads claim-checked events to S3 before their pointer message is queued. An upload is retried
 * until it succeeds: the event must not be lost, and the watch waits meanwhile (back-pressure).
 */
import { PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { type BackoffPolicy, backoffDelay } from "./backoff.ts";
import type { Clock } from "./clock.ts";
import type { ClaimCheckUpload } from "./messages.ts";

export async function uploadClaimCheck(
  s3: S3Client,
  upload: ClaimCheckUpload,
  retry: { clock: Clock; random: () => number; backoff: BackoffPolicy; log: (message: string) => void },
  signal: AbortSignal,
): Promise<void> {
  for (let attempt = 0; !signal.aborted; attempt++) {
    try {
      await s3.send(
        new PutObjectCommand({
          Bucket: upload.check.bucket,
          Key: upload.key,
          Body: upload.body,
          ContentType: "application/json",
          ChecksumSHA256: Buffer.from(upload.check.sha256, "hex").toString("base64"),
        }),
        { abortSignal: signal },
      );
      return;
    } catch (error) {
      if (signal.aborted) return;
      retry.log(
        `claim check upload of ${upload.key} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
      await retry.clock.sleep(backoffDelay(attempt, retry.backoff, retry.random), signal);
    }
  }
}
