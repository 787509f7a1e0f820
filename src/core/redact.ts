/**
 * The redaction filter applied to every log line, error tail and report: masks known token
 * shapes, Authorization values, URL credentials, and the values of secret-looking variables.
 * Prose that merely names a header ("authorization: APPROVED", "the token expires") stays.
 */
const MASK = "***";

const PATTERNS: RegExp[] = [
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{8,}/g, // OpenAI-style keys
  /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{16,}/g, // GitHub tokens
  /\bgithub_pat_[A-Za-z0-9_]{20,}/g,
  /\br8_[A-Za-z0-9]{16,}/g, // Replicate
  /\b(?:ak|as)-[A-Za-z0-9]{16,}/g, // Modal token id/secret
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
];

const BEARER = /\b(Bearer|Basic|token)(\s+)([A-Za-z0-9._~+/=-]{6,})/gi;
// A header name on its own (not the tail of `cut-authorization`), then its value: a scheme and a
// credential, or a bare credential (JSON, `x-api-key=`).
const AUTH_HEADER =
  /(?<![A-Za-z0-9_-])(["']?(?:authorization|proxy-authorization|x-api-key|api-key)["']?\s*[:=]\s*["']?)(?:(Bearer|Basic|token)(\s+)[^"',\s}]+|([^"',\s}]+))/gi;
/**
 * Prose, not a credential: one or a few hyphen-joined words of letters in one case (or
 * Capitalized), maybe ending a sentence. Credentials carry digits, symbols or mixed case.
 */
const PROSE_WORD = /^(?:[a-z]+|[A-Z]+|[A-Z][a-z]+)(?:-[a-z]+)*[.,;:!?]?$/;
const MAX_PROSE_WORD = 24;
const looksLikeProse = (value: string): boolean => value.length <= MAX_PROSE_WORD && PROSE_WORD.test(value);
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/)[^\s/:@]+:[^\s/@]+@/gi;

const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|DSN)/i;
const MIN_SECRET_LENGTH = 6;

/** Values of variables whose names look secret; longest first so overlaps mask fully. */
export function secretValuesFrom(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  for (const [name, value] of Object.entries(env)) {
    if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) values.add(value);
  }
  return [...values].sort((a, b) => b.length - a.length);
}

/**
 * The forms a secret value takes once written: raw, escaped inside a JSON string (as JavaScript
 * and as Python's ensure_ascii write it, once or twice), and URL-encoded (as
 * encodeURIComponent, Python's quote/quote_plus and RFC 3986 write it, in either hex case).
 * A secret holding `"` or `\` would otherwise pass the filter once a logger escaped it.
 */
export function encodedForms(value: string): string[] {
  const forms = new Set<string>([value]);
  const json = JSON.stringify(value).slice(1, -1);
  const ascii = asciiJson(json);
  for (const form of [
    json,
    ascii,
    JSON.stringify(json).slice(1, -1),
    asciiJson(JSON.stringify(ascii).slice(1, -1)),
  ])
    forms.add(form);
  const component = encodeURIComponent(value);
  const strict = component.replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  for (const url of [component, strict]) {
    for (const form of [url, url.replaceAll("%2F", "/"), url.replaceAll("%20", "+")]) {
      forms.add(form);
      forms.add(form.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
    }
  }
  return [...forms];
}

/** Python's json.dumps escapes every non-ASCII code unit as \uxxxx (lowercase hex). */
function asciiJson(escaped: string): string {
  return escaped.replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

export function createRedactor(secretValues: readonly string[] = secretValuesFrom(process.env)) {
  // Longest first, so a form that contains another is masked whole.
  const forms = [...new Set(secretValues.flatMap(encodedForms))].sort((a, b) => b.length - a.length);
  const maskValues = (text: string): string => {
    let out = text;
    // Masking can join neighbours into a new occurrence (a secret holding "***"): repeat until
    // stable; each pass shortens the text, since every form is longer than the mask.
    for (let pass = 0; pass < 8; pass++) {
      const before = out;
      for (const form of forms) if (out.includes(form)) out = out.split(form).join(MASK);
      if (out === before) break;
    }
    return out;
  };
  return function redact(text: string): string {
    let out = maskValues(text);
    for (const pattern of PATTERNS) out = out.replace(pattern, MASK);
    return out
      .replace(AUTH_HEADER, (whole, name: string, scheme?: string, space?: string, bare?: string) => {
        if (scheme) return `${name}${scheme}${space}${MASK}`;
        return bare && looksLikeProse(bare) ? whole : `${name}${MASK}`;
      })
      .replace(BEARER, (whole, scheme: string, space: string, value: string) =>
        looksLikeProse(value) ? whole : `${scheme}${space}${MASK}`,
      )
      .replace(URL_CREDENTIALS, `$1${MASK}@`);
  };
}

/** Every string in a JSON-like value through `redact`, before it is encoded. */
export function redactDeep(value: unknown, redact: (text: string) => string): unknown {
  if (typeof value === "string") return redact(value);
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, redact));
  if (value !== null && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactDeep(item, redact);
    return out;
  }
  return value;
}

export type Redactor = ReturnType<typeof createRedactor>;
