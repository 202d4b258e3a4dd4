/**
 * Requests this gateway process has in flight to each node (what least-busy, affinity and
 * `maxInFlight` read), and how many it has sent each node in all (for requests per minute).
 */
export class InFlight {
  readonly counts = new Map<string, number>();
  readonly totals = new Map<string, number>();

  start(nodeId: string): void {
    this.counts.set(nodeId, (this.counts.get(nodeId) ?? 0) + 1);
    this.totals.set(nodeId, (this.totals.get(nodeId) ?? 0) + 1);
  }

  end(nodeId: string): void {
    const count = (this.counts.get(nodeId) ?? 1) - 1;
    if (count > 0) this.counts.set(nodeId, count);
    else this.counts.delete(nodeId);
  }

  of(nodeId: string): number {
    return this.counts.get(nodeId) ?? 0;
  }
}
