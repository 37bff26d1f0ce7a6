// A small strict parser of the Prometheus text exposition format 0.0.4, for the /metrics tests:
// it rejects anything a scraper would (bad names, bad escapes, bad numbers, a TYPE after samples,
// interleaved families, duplicate series, a missing final newline).

export interface Parsed {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Array<{ name: string; labels: Record<string, string>; value: number }>;
  /** The value of one series; throws when it is absent. */
  value(name: string, labels: Record<string, string>): number;
}

const METRIC = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseValue(s: string, line: number): number {
  if (s === '+Inf') return Number.POSITIVE_INFINITY;
  if (s === '-Inf') return Number.NEGATIVE_INFINITY;
  if (s === 'NaN') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(s))
    throw new Error(`line ${line}: bad value ${JSON.stringify(s)}`);
  return Number(s);
}

function parseLabels(s: string, line: number): { labels: Record<string, string>; rest: string } {
  const labels: Record<string, string> = {};
  let i = 0;
  for (;;) {
    if (s[i] === '}') return { labels, rest: s.slice(i + 1) };
    const eq = s.indexOf('=', i);
    if (eq < 0) throw new Error(`line ${line}: label without =`);
    const name = s.slice(i, eq);
    if (!LABEL.test(name)) throw new Error(`line ${line}: bad label name ${JSON.stringify(name)}`);
    if (name in labels) throw new Error(`line ${line}: duplicate label ${name}`);
    if (s[eq + 1] !== '"') throw new Error(`line ${line}: label value must be quoted`);
    let j = eq + 2;
    let v = '';
    for (;;) {
      const c = s[j];
      if (c === undefined) throw new Error(`line ${line}: unterminated label value`);
      if (c === '"') break;
      if (c === '\n') throw new Error(`line ${line}: raw newline in label value`);
      if (c === '\\') {
        const n = s[j + 1];
        if (n === '\\') v += '\\';
        else if (n === '"') v += '"';
        else if (n === 'n') v += '\n';
        else throw new Error(`line ${line}: bad escape \\${n}`);
        j += 2;
        continue;
      }
      v += c;
      j += 1;
    }
    labels[name] = v;
    i = j + 1;
    if (s[i] === ',') i += 1;
    else if (s[i] !== '}') throw new Error(`line ${line}: expected , or } after a label`);
  }
}

export function parsePrometheus(text: string): Parsed {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const types = new Map<string, string>();
  const help = new Map<string, string>();
  const samples: Parsed['samples'] = [];
  const seenSeries = new Set<string>();
  const finished = new Set<string>();
  let current: string | null = null;
  const enter = (family: string, line: number) => {
    if (current === family) return;
    if (finished.has(family)) throw new Error(`line ${line}: family ${family} is interleaved with another`);
    if (current) finished.add(current);
    current = family;
  };
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((raw, idx) => {
    const line = idx + 1;
    if (raw.trim() === '') return;
    if (raw.startsWith('#')) {
      const m = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(raw);
      if (!m) return; // a plain comment
      const [, kind, name, rest] = m as unknown as [string, string, string, string];
      if (!METRIC.test(name)) throw new Error(`line ${line}: bad metric name ${name}`);
      enter(name, line);
      if (kind === 'TYPE') {
        if (!TYPES.has(rest)) throw new Error(`line ${line}: bad type ${rest}`);
        if (types.has(name)) throw new Error(`line ${line}: second TYPE for ${name}`);
        if (samples.some((s) => s.name === name))
          throw new Error(`line ${line}: TYPE for ${name} after its samples`);
        types.set(name, rest);
      } else {
        if (help.has(name)) throw new Error(`line ${line}: second HELP for ${name}`);
        if (/\\[^\\n]/.test(rest)) throw new Error(`line ${line}: bad escape in HELP`);
        help.set(name, rest);
      }
      return;
    }
    const nm = /^([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(raw);
    if (!nm) throw new Error(`line ${line}: a sample must start with a metric name: ${JSON.stringify(raw)}`);
    const name = nm[1]!;
    let rest = raw.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) ({ labels, rest } = parseLabels(rest.slice(1), line));
    if (!rest.startsWith(' ')) throw new Error(`line ${line}: expected a space before the value`);
    const parts = rest.slice(1).split(' ');
    if (parts.length < 1 || parts.length > 2) throw new Error(`line ${line}: expected value [timestamp]`);
    const value = parseValue(parts[0]!, line);
    if (parts[1] !== undefined && !/^-?\d+$/.test(parts[1])) throw new Error(`line ${line}: bad timestamp`);
    const family = ['_total', '_count', '_sum', '_bucket'].reduce(
      (f, suffix) =>
        !types.has(f) && f.endsWith(suffix) && types.has(f.slice(0, -suffix.length))
          ? f.slice(0, -suffix.length)
          : f,
      name,
    );
    enter(family, line);
    if (types.get(family) === 'counter' && value < 0)
      throw new Error(`line ${line}: counter ${name} is negative`);
    const key = `${name}${JSON.stringify(Object.entries(labels).sort())}`;
    if (seenSeries.has(key)) throw new Error(`line ${line}: duplicate series ${key}`);
    seenSeries.add(key);
    samples.push({ name, labels, value });
  });
  return {
    types,
    help,
    samples,
    value(name, labels) {
      const want = JSON.stringify(Object.entries(labels).sort());
      const s = samples.find(
        (x) => x.name === name && JSON.stringify(Object.entries(x.labels).sort()) === want,
      );
      if (!s) throw new Error(`no series ${name}${want}`);
      return s.value;
    },
  };
}
