import type { Registry, RegistryContentType } from "prom-client";

interface Series {
  labels: Record<string, string>;
  /** Observations per bucket (not cumulative), the last one for those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/**
 * A Prometheus histogram for what is observed on every request and step, registered in a prom-client registry and
 * scraped in its format. prom-client's own observe hashes the labels and finds its bucket by the bound as a property
 * name each time, which cost several per cent of a webhook's CPU; here an observation is a lookup by the label
 * values and an increment. The labels are given as values, in the order of `labelNames`.
 */
export class CountingHistogram<L extends string> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly L[],
    private readonly bounds: readonly number[],
    registry: Registry<RegistryContentType>,
  ) {
    // A registry takes any metric that reads itself out as prom-client's do.
    registry.registerMetric(this as unknown as Parameters<Registry["registerMetric"]>[0]);
  }

  observe(values: readonly string[], value: number): void {
    // A duration is always a number; what is not one would spoil the sum for good (prom-client throws instead).
    if (!Number.isFinite(value)) return;
    // One label is the key as it is; more are joined by a character no label value of ours holds.
    const key = values.length === 1 ? values[0]! : values.join("\u0000");
    let series = this.series.get(key);
    if (!series) {
      const labels: Record<string, string> = {};
      this.labelNames.forEach((name, i) => (labels[name] = values[i]!));
      series = { labels, counts: new Array<number>(this.bounds.length + 1).fill(0), sum: 0, count: 0 };
      this.series.set(key, series);
    }
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
  }

  /** What a scrape reads, as prom-client's histograms give it: cumulative buckets, then +Inf, sum and count. */
  getForPromString() {
    const values: { labels: Record<string, string | number>; sharedLabels: Record<string, string>; value: number; metricName: string }[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.bounds.forEach((le, i) => {
        cumulative += counts[i]!;
        values.push({ labels: { le }, sharedLabels: labels, value: cumulative, metricName: `${this.name}_bucket` });
      });
      values.push({ labels: { le: "+Inf" }, sharedLabels: labels, value: count, metricName: `${this.name}_bucket` });
      values.push({ labels: {}, sharedLabels: labels, value: sum, metricName: `${this.name}_sum` });
      values.push({ labels: {}, sharedLabels: labels, value: count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  /** The same with each value's labels whole, as prom-client's `get` gives them (for JSON and cluster aggregation). */
  get() {
    const metric = this.getForPromString();
    return { ...metric, values: metric.values.map(({ labels, sharedLabels, ...value }) => ({ ...value, labels: { ...labels, ...sharedLabels } })) };
  }

  reset(): void {
    this.series.clear();
  }
}
