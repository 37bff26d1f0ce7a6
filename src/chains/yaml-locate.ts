// Turns a path inside a parsed YAML document (["pipelines", "report", "steps", 1, "after"]) into
// "file:line:col", so that config errors point at the exact field the user has to fix.
import {
  type Document,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  parseDocument,
} from 'yaml';

export type YamlPath = ReadonlyArray<string | number>;
export type Locate = (path: YamlPath) => string;

/** Finds the node at `path`, or the deepest ancestor that exists (a missing field points at its map). */
function nodeAt(doc: Document, path: YamlPath): { node: Node | null; keyNode: Node | null } {
  let current: unknown = doc.contents;
  let keyNode: Node | null = null;
  for (const part of path) {
    if (isMap(current)) {
      const pair = current.items.find(
        (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(part),
      );
      if (!pair) break;
      keyNode = isNode(pair.key) ? pair.key : null;
      // A key with no value (`after:`) has a null value node: point at the key.
      if (!isNode(pair.value)) return { node: null, keyNode };
      current = pair.value;
    } else if (isSeq(current) && typeof part === 'number') {
      const item = current.items[part];
      if (!isNode(item)) break;
      keyNode = null;
      current = item;
    } else break;
  }
  return { node: isNode(current) ? current : null, keyNode };
}

export function locator(doc: Document, lineCounter: LineCounter, file: string): Locate {
  return (path) => {
    const { node, keyNode } = nodeAt(doc, path);
    const offset = node?.range?.[0] ?? keyNode?.range?.[0];
    if (offset === undefined) return file;
    const { line, col } = lineCounter.linePos(offset);
    return `${file}:${line}:${col}`;
  };
}

/** Parses YAML text keeping positions; YAML syntax errors are returned, not thrown. */
export function parseYamlWithPositions(
  text: string,
  file: string,
): { doc: Document; locate: Locate; errors: string[] } {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const errors = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    return `${file}:${line}:${col}: ${e.message.split('\n')[0]}`;
  });
  return { doc, locate: locator(doc, lineCounter, file), errors };
}

/** "pipelines.research-report.steps[1].after" */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const part of path)
    out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${part}`;
  return out;
}
