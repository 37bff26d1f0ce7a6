// Run-time check of simulator answers against the SDK's own declared types. A recorder names every
// SDK call and keeps the JSON bodies (and server-sent events) the SDK receives; the checker writes
// each body as an object literal typed with the response type of the method that received it, as
// the installed SDK declares it, and type-checks all of them in one TypeScript program. Object
// literals get excess-property checks, so a missing required field, a wrong literal, a wrong
// primitive and an extra field all fail.
import { AsyncLocalStorage } from 'node:async_hooks';
import { fileURLToPath } from 'node:url';
import Anthropic from '@anthropic-ai/sdk';
import ts from 'typescript';

/** One response body, and the SDK method (`resource.sub.method`) whose call received it. */
export interface Recorded {
  method: string;
  body: unknown;
}

/** A response to check; `label` names it in problems (a method name, or what a self-check breaks). */
export interface Checked extends Recorded {
  label: string;
}

export interface Problem {
  label: string;
  message: string;
}

export interface CheckResult {
  /** Per method, the response type the SDK declares, as the compiler prints it. */
  types: Record<string, string>;
  problems: Problem[];
}

export class ResponseRecorder {
  readonly records: Recorded[] = [];
  private readonly calling = new AsyncLocalStorage<string>();

  /** An SDK client whose HTTP answers are recorded under the SDK method being called. */
  client(baseURL: string, apiKey = 'sk-test'): Anthropic {
    const record: typeof fetch = async (input, init) => {
      const method = this.calling.getStore();
      const res = await fetch(input, init);
      const type = res.headers.get('content-type') ?? '';
      if (method === undefined || !res.ok) return res;
      if (type.startsWith('application/json')) {
        this.records.push({ method, body: JSON.parse(await res.clone().text()) });
        return res;
      }
      if (type.startsWith('text/event-stream') && res.body) {
        // The SDK reads the stream through this tap, so every event it parses is recorded,
        // including those read just before the caller aborts.
        const body = res.body.pipeThrough(this.sseTap(method));
        return new Response(body, { status: res.status, statusText: res.statusText, headers: res.headers });
      }
      return res;
    };
    return new Anthropic({ baseURL, apiKey, maxRetries: 0, webhookKey: null, fetch: record });
  }

  /** `c.beta`, with every method call named for the recorder; a synchronous result is recorded too. */
  beta(c: Anthropic): Anthropic['beta'] {
    return this.named(c.beta, '');
  }

  private named<T extends object>(resource: T, path: string): T {
    return new Proxy(resource, {
      get: (target, prop) => {
        const value: unknown = Reflect.get(target, prop);
        if (typeof prop !== 'string') return value;
        const name = path === '' ? prop : `${path}.${prop}`;
        if (typeof value === 'function')
          return (...args: unknown[]) => {
            const result: unknown = this.calling.run(name, () => value.apply(target, args));
            if (!(result instanceof Promise)) this.records.push({ method: name, body: result });
            return result;
          };
        if (typeof value === 'object' && value !== null && '_client' in value) return this.named(value, name);
        return value;
      },
    });
  }

  private sseTap(method: string): TransformStream<Uint8Array, Uint8Array> {
    const decoder = new TextDecoder();
    let buffered = '';
    return new TransformStream({
      transform: (chunk, controller) => {
        controller.enqueue(chunk);
        buffered += decoder.decode(chunk, { stream: true });
        const frames = buffered.split(/\r?\n\r?\n/);
        buffered = frames.pop() ?? '';
        for (const frame of frames) {
          const lines = frame.split(/\r?\n/);
          const event = lines
            .find((l) => l.startsWith('event:'))
            ?.slice(6)
            .trim();
          const data = lines
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).replace(/^ /, ''))
            .join('\n');
          // What the SDK's Stream yields: named events with data, except pings and errors.
          if (event && event !== 'ping' && event !== 'error' && data)
            this.records.push({ method, body: JSON.parse(data) });
        }
      },
    });
  }
}

/** The same body received twice by one method is checked once. */
export function distinct(records: Recorded[]): Recorded[] {
  const seen = new Set<string>();
  return records.filter((r) => {
    const key = `${r.method} ${JSON.stringify(r.body)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// What a call answers, from the method's declared return type: a page's fields for PagePromise,
// the event type for a Stream, T for APIPromise<T>, and the value itself for a synchronous method.
const PRELUDE = `import type Anthropic from '@anthropic-ai/sdk';
import type { APIPromise } from '@anthropic-ai/sdk/core/api-promise';
import type { PagePromise } from '@anthropic-ai/sdk/core/pagination';
import type { Stream } from '@anthropic-ai/sdk/core/streaming';
type Beta = Anthropic['beta'];
type Fields<T> = { [K in keyof T as T[K] extends (...args: never[]) => unknown ? never : K]: T[K] };
type Answer<F> = F extends (...args: never[]) => infer R
  ? R extends PagePromise<infer Page, infer _Item> ? Fields<Page>
  : R extends APIPromise<Stream<infer E>> ? E
  : R extends APIPromise<infer T> ? T
  : R extends PromiseLike<unknown> ? never
  : R
  : never;
`;

const CHECK_FILE = fileURLToPath(new URL('./sdk-responses.check.ts', import.meta.url));

/** Type-checks every body against its method's declared response type, in one compiler program. */
export function checkResponses(entries: Checked[]): CheckResult {
  const methods = [...new Set(entries.map((e) => e.method))];
  const alias = new Map(methods.map((m, i) => [m, `A${i}`]));
  let source = PRELUDE;
  for (const m of methods)
    source += `type ${alias.get(m)} = Answer<Beta${m
      .split('.')
      .map((p) => `['${p}']`)
      .join('')}>;\n`;
  const spans: Array<{ start: number; end: number; label: string }> = [];
  entries.forEach((e, i) => {
    const start = source.length;
    source += `export const r${i}: ${alias.get(e.method)} = ${JSON.stringify(e.body, null, 1)};\n`;
    spans.push({ start, end: source.length, label: e.label });
  });

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    // The response types are plain JSON shapes: the DOM library only costs parse time.
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options, true);
  const { getSourceFile, fileExists, readFile } = host;
  host.getSourceFile = (name, language, ...rest) =>
    name === CHECK_FILE
      ? ts.createSourceFile(name, source, language, true)
      : getSourceFile.call(host, name, language, ...rest);
  host.fileExists = (name) => name === CHECK_FILE || fileExists.call(host, name);
  host.readFile = (name) => (name === CHECK_FILE ? source : readFile.call(host, name));
  const program = ts.createProgram([CHECK_FILE], options, host);
  const file = program.getSourceFile(CHECK_FILE);
  if (!file) throw new Error('the response check file was not compiled');
  const checker = program.getTypeChecker();

  const problems: Problem[] = [];
  const types: Record<string, string> = {};
  for (const statement of file.statements) {
    if (!ts.isTypeAliasDeclaration(statement) || !/^A\d+$/.test(statement.name.text)) continue;
    const method = methods[Number(statement.name.text.slice(1))];
    const type = checker.getTypeAtLocation(statement.name);
    types[method] = checker.typeToString(type, undefined, ts.TypeFormatFlags.InTypeAlias);
    // An unresolved type would accept anything: report it rather than pass silently.
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never))
      problems.push({ label: method, message: `declared response type resolves to ${types[method]}` });
  }
  const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
  for (const d of diagnostics) {
    const at = d.start ?? 0;
    const span = spans.find((s) => at >= s.start && at < s.end);
    const near = source.slice(at, at + 60).replace(/\s+/g, ' ');
    problems.push({
      label: span?.label ?? 'check file',
      message: `${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (at ${near})`,
    });
  }
  return { types, problems };
}
