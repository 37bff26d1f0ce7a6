// Builds dashboard URLs from the current filter values, so every link and chip keeps the rest
// of the filters as they are.
export function withParams(
  path: string,
  current: Record<string, string>,
  changes: Record<string, string | null>,
): string {
  const params = new URLSearchParams();
  const merged: Record<string, string | null> = { ...current, ...changes };
  for (const [k, v] of Object.entries(merged))
    if (v !== null && v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return qs ? `${path}?${qs}` : path;
}

export function runHref(id: string): string {
  return `/runs/${encodeURIComponent(id)}`;
}

export function eventHref(id: string): string {
  return `/events/${encodeURIComponent(id)}`;
}
