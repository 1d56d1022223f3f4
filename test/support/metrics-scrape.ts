/** Reads a /metrics endpoint (Prometheus text format) and looks up series by name and labels. */

export interface Scrape {
  status: number;
  contentType: string | null;
  text: string;
  /** The sample of `name` whose labels include `labels`; summed over every match, 0 when none. */
  value(name: string, labels?: Record<string, string>): number;
}

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseSamples(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$/.exec(line);
    if (!match) continue;
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

export async function scrapeMetrics(url: string, options: { token?: string } = {}): Promise<Scrape> {
  const response = await fetch(url, { headers: options.token ? { authorization: `Bearer ${options.token}` } : {} });
  const text = await response.text();
  const samples = response.ok ? parseSamples(text) : [];
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    text,
    value(name, labels = {}) {
      return samples
        .filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value))
        .reduce((sum, sample) => sum + sample.value, 0);
    },
  };
}

/** Scrapes until `predicate` holds for the series' value (metrics of asynchronous work), failing after `timeoutMs`. */
export async function waitForMetric(
  url: string,
  name: string,
  labels: Record<string, string>,
  predicate: (value: number) => boolean,
  timeoutMs = 5000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = (await scrapeMetrics(url)).value(name, labels);
    if (predicate(value)) return value;
    if (Date.now() > deadline) throw new Error(`${name}${JSON.stringify(labels)} is ${value}, still not as expected after ${timeoutMs} ms`);
    // Poll interval: the endpoint is scraped again until the deadline.
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
