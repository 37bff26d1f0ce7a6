// One line of the doctor's checklist: passed, failed (with what to fix) or skipped (with why).
export type CheckStatus = 'pass' | 'fail' | 'skip';

export interface CheckResult {
  name: string;
  status: CheckStatus;
  /** What was found. */
  detail: string;
  /** What to do, for a failed (or skipped) check. */
  fix?: string;
}

export const pass = (name: string, detail: string): CheckResult => ({ name, status: 'pass', detail });
export const fail = (name: string, detail: string, fix: string): CheckResult => ({
  name,
  status: 'fail',
  detail,
  fix,
});
export const skip = (name: string, detail: string, fix?: string): CheckResult => ({
  name,
  status: 'skip',
  detail,
  fix,
});

const MARK = { pass: '✓', fail: '✗', skip: '-' } as const;

export function formatChecklist(results: CheckResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]} ${r.name}: ${r.detail}`);
    if (r.fix && r.status !== 'pass') lines.push(`    fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(failed === 0 ? 'all checks passed' : `${failed} check${failed === 1 ? '' : 's'} failed`);
  return `${lines.join('\n')}\n`;
}
