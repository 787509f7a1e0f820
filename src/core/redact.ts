/**
 * The redaction filter applied to every log line, error tail and report: masks known token
 * shapes, Authorization values, URL credentials, and the values of secret-looking variables.
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

const BEARER = /\b(Bearer|Basic|token)\s+[A-Za-z0-9._~+/=-]{6,}/gi;
const AUTH_HEADER =
  /(["']?(?:authorization|proxy-authorization|x-api-key|api-key)["']?\s*[:=]\s*["']?)[^"',\s}]+/gi;
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

export function createRedactor(secretValues: readonly string[] = secretValuesFrom(process.env)) {
  return function redact(text: string): string {
    let out = text;
    for (const value of secretValues) {
      if (out.includes(value)) out = out.split(value).join(MASK);
    }
    for (const pattern of PATTERNS) out = out.replace(pattern, MASK);
    return out
      .replace(BEARER, `$1 ${MASK}`)
      .replace(AUTH_HEADER, `$1${MASK}`)
      .replace(URL_CREDENTIALS, `$1${MASK}@`);
  };
}

export type Redactor = ReturnType<typeof createRedactor>;
