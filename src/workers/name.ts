import { hostname } from 'node:os';

/** Shown in Bull Board as the job's `processedBy`: which process on which host ran it. */
export function workerName(): string {
  return `gpu-mesh@${hostname()}:${process.pid}`;
}
