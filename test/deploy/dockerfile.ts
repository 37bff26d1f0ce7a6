// A small Dockerfile reader for the tests: stages and their instructions (continuation lines
// joined, comments dropped). No Docker engine runs here, so the file is checked by reading it.
export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  from: string;
  name: string | null;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let current = '';
  for (const line of text.split('\n')) {
    const t = line.trim();
    if (current === '' && (t === '' || t.startsWith('#'))) continue;
    if (t.endsWith('\\')) {
      current += `${t.slice(0, -1)} `;
      continue;
    }
    logical.push(current + t);
    current = '';
  }
  const stages: Stage[] = [];
  for (const l of logical) {
    const m = /^(\S+)\s*(.*)$/.exec(l);
    if (!m) continue;
    const op = m[1].toUpperCase();
    const args = m[2];
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?/i.exec(args);
      stages.push({ from: f?.[1] ?? args, name: f?.[2] ?? null, instructions: [] });
    } else stages.at(-1)?.instructions.push({ op, args });
  }
  return stages;
}

/** The exec form ["a", "b"] as an array (shell form split on spaces). */
export function execForm(args: string): string[] {
  const t = args.trim();
  return t.startsWith('[') ? (JSON.parse(t) as string[]) : t.split(/\s+/);
}
