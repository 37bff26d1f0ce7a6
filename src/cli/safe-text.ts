// Untrusted text (agent output, tasks, titles, error text, file names, metadata) must never drive
// the terminal: a run could otherwise clear the screen, retitle the window or write the clipboard
// (OSC 52). Control characters are shown as `\uXXXX` instead: C0 except newline and tab, DEL and C1.
// Inside a JSON string that notation is a valid escape, so JSON output keeps its meaning.
import type { Writable } from 'node:stream';

const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

function visible(c: string): string {
  return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/** `text` with every control character except newline and tab made visible. */
export function safeText(text: string): string {
  return text.replace(UNSAFE, visible);
}

/** A copy of `value` with safeText applied to every string in it (objects and arrays walked). */
export function safeDeep<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) return value.map(safeDeep) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[safeText(k)] = safeDeep(v);
    return out as T;
  }
  return value;
}

// What the CLI itself sends a terminal: colors (SGR) and the progress line's carriage return plus
// erase-line. Only on a TTY, the one place the CLI emits them.
const OWN_SEQUENCES = /(\x1b\[[0-9;]*m|\r\x1b\[2K)/;

/** safeText, keeping the CLI's own color and progress-line sequences when `tty`. */
export function safeTerminalText(text: string, tty: boolean): string {
  if (!tty) return safeText(text);
  return text
    .split(OWN_SEQUENCES)
    .map((part, i) => (i % 2 === 1 ? part : safeText(part)))
    .join('');
}

/**
 * The stream with every write passed through safeTerminalText: the last line of defence, so no
 * command can print a raw escape sequence from a run even where it forgot to clean a value.
 */
export function safeStream<T extends Writable>(stream: T): T {
  if ((stream as { safeText?: boolean }).safeText) return stream;
  const tty = (stream as { isTTY?: boolean }).isTTY === true;
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'safeText') return true;
      if (prop === 'write')
        return (chunk: unknown, ...rest: unknown[]) => {
          const text =
            typeof chunk === 'string'
              ? chunk
              : Buffer.isBuffer(chunk)
                ? chunk.toString('utf8')
                : chunk instanceof Uint8Array
                  ? Buffer.from(chunk).toString('utf8')
                  : null;
          return (target.write as (...a: unknown[]) => boolean)(
            text === null ? chunk : safeTerminalText(text, tty),
            ...rest,
          );
        };
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}
