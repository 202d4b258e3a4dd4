/**
 * `/metrics`: one snapshot read from Redis per scrape (node states, the counters hash, queue counts),
 * rendered by the prom-client registry it is given. The families are registered once, as small
 * collector objects that hand the registry the values of the latest snapshot.
 */
import type { Metric, Registry } from 'prom-client';
import { type MetricsSnapshot, metricFamilies } from './families.js';
import type { MetricFamily, MetricType } from './metric-types.js';

/** What the registry asks of a metric when it renders (prom-client's `Metric` shape, read-only). */
class SnapshotFamily {
  values: MetricFamily['values'] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: MetricType,
  ) {}

  get(): Promise<MetricFamily & { aggregator: 'sum' }> {
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      values: this.values,
      aggregator: 'sum',
    });
  }

  reset(): void {
    this.values = [];
  }
}

export class MetricsExporter {
  private readonly families = new Map<string, SnapshotFamily>();

  constructor(
    private readonly registry: Registry,
    private readonly readSnapshot: () => Promise<MetricsSnapshot>,
  ) {}

  get contentType(): string {
    return this.registry.contentType;
  }

  async render(): Promise<string> {
    const snapshot = await this.readSnapshot();
    for (const family of metricFamilies(snapshot)) this.familyFor(family).values = family.values;
    return this.registry.metrics();
  }

  private familyFor(family: MetricFamily): SnapshotFamily {
    let registered = this.families.get(family.name);
    if (!registered) {
      registered = new SnapshotFamily(family.name, family.help, family.type);
      this.registry.registerMetric(registered as unknown as Metric);
      this.families.set(family.name, registered);
    }
    return registered;
  }
}
