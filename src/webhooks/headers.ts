// The one header lookup of the receiver: the verifier, the receiver core (webhook-id without
// verification) and the library adapters all read headers through here, so "present", "empty" and
// "which of several values" mean the same everywhere (test/webhooks/differential asserts them).

/** Node IncomingHttpHeaders, a plain object with names in any case, or Fetch `Headers`. */
export type HeaderBag = Record<string, string | string[] | undefined> | Headers;

/**
 * One header value: `name` in lower case, matched case-insensitively; the first element of an
 * array; undefined when absent or empty.
 */
export function header(headers: HeaderBag, name: string): string | undefined {
  let value: string | string[] | null | undefined;
  // Fetch Headers (and look-alikes) are case-insensitive already and join repeats with ", ".
  if (typeof (headers as { get?: unknown }).get === 'function') {
    value = (headers as Headers).get(name);
  } else {
    const bag = headers as Record<string, string | string[] | undefined>;
    // Node lower-cases names, so the direct lookup is the common case; a scan covers plain objects.
    value = Object.hasOwn(bag, name) ? bag[name] : undefined;
    if (value === undefined) {
      for (const k of Object.keys(bag)) {
        if (k.length === name.length && bag[k] !== undefined && k.toLowerCase() === name) {
          value = bag[k];
          break;
        }
      }
    }
  }
  if (Array.isArray(value)) value = value[0];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** A Fetch `Headers` object as the plain lower-case object the verifier and logs expect. */
export function headersToObject(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, name) => {
    out[name.toLowerCase()] = value;
  });
  return out;
}
