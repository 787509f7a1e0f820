#!/usr/bin/env node
// Regenerates test/vectors/cross-language.json from the case list below, using the compiled
// TypeScript core (run `npm run build` first). Both the TS and the Python test suites check
// every case in that file, so the two implementations must agree byte for byte.
import { writeFileSync } from "node:fs";
import { canonicalize, parseJsonStrict, SigilError } from "../lib/core/index.js";
import { resolveInputs } from "../lib/run/index.js";

const deep = (n) => `${"[".repeat(n)}${"]".repeat(n)}`;
const deepObj = (n) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;

const canonicalCases = [
  ["empty-object", "{}"],
  ["empty-array", "[]"],
  ["empty-containers", '{"a":{},"b":[],"c":[{}],"d":""}'],
  ["key-order-integer-like", '{"10":1,"9":2,"1":3,"a":4,"A":5}'],
  ["keys-outside-bmp", '{"\\ud83d\\ude00":1,"\\uffff":2,"\\ud800\\udc00":3,"z":4}'],
  ["keys-bmp-vs-astral", '{"\\ue000":1,"\\ud83d\\ude02":2}'],
  ["floats", "[0.1,0.2,0.30000000000000004,1.5,-2.25,3.141592653589793]"],
  ["exponents", "[1e21,1e20,1e-7,1e-6,1.5e300,5e-324,1.7976931348623157e308]"],
  ["negative-zero", "[-0,-0.0,0.0,-0e5]"],
  [
    "integers-beyond-2^53",
    "[9007199254740992,9007199254740993,9007199254740995,18446744073709551616,-9007199254740993]",
  ],
  ["huge-integer-literal", "123456789012345678901234567890"],
  ["fractions-rounding", "[333333333.33333329,4.50,2e-3,0.000000000000000000000000001]"],
  ["control-characters", '"\\u0000\\u0001\\u001f\\u007f\\b\\f\\n\\r\\t\\"\\\\\\/"'],
  ["unicode-literals", '"\\u00e9\\u20ac\\ud83d\\ude02 \\u2028\\u2029"'],
  ["literals", "[true,false,null]"],
  ["whitespace", ' { "b" : [ 1 , 2 ] ,\n\t"a" : null } '],
  ["deep-array-200", deep(200)],
  ["deep-object-200", deepObj(200)],
  ["nested-mixed", '{"z":[{"y":{"x":[1,{"w":"v"}]}}],"a":{"c":3,"b":2}}'],
];
const rejectCases = [
  ["duplicate-keys", '{"a":1,"a":2}'],
  ["duplicate-keys-nested", '{"x":{"k":1,"k":1}}'],
  ["lone-high-surrogate", '"\\ud800"'],
  ["lone-low-surrogate-key", '{"\\udc00":1}'],
  ["reversed-surrogates", '"\\udc00\\ud800"'],
  ["nan-literal", "NaN"],
  ["infinity-literal", "[Infinity]"],
  ["overflow-to-infinity", "1e400"],
  ["negative-overflow", "[-1e400]"],
  ["trailing-comma", "[1,]"],
  ["single-quotes", "{'a':1}"],
  ["leading-zero", "[01]"],
  ["too-deep", deep(300)],
  ["truncated", '{"a":'],
];

const inputsCases = [
  ["minimal-mock", '{"schema":"v1"}', "mock"],
  ["minimal-real", '{"schema":"v1"}', "real"],
  [
    "with-model",
    '{"schema":"v1","model":"gpt-4o-mini","params":{"messages":[{"role":"user","content":"hi"}]}}',
    "mock",
  ],
  ["mode-in-payload", '{"schema":"v1","mode":"mock","params":{}}', "mock"],
  [
    "files-and-params",
    '{"schema":"v1","files":{"b":"x","a":"y"},"params":{"temperature":0.7,"n":1}}',
    "mock",
  ],
  [
    "astral-and-floats",
    '{"schema":"v1","params":{"\\ud83d\\ude00":1e21,"t":-0,"big":9007199254740993}}',
    "mock",
  ],
  ["empty-containers", '{"schema":"v1","params":{"a":{},"b":[]},"files":{}}', "mock"],
];
const inputsRejects = [
  ["wrong-schema", '{"schema":"v2"}', "mock"],
  ["missing-schema", '{"params":{}}', "mock"],
  ["unknown-mode", '{"schema":"v1","mode":"smoke"}', "mock"],
  ["params-array", '{"schema":"v1","params":[1,2]}', "mock"],
  ["params-string", '{"schema":"v1","params":"x"}', "mock"],
  ["model-number", '{"schema":"v1","model":4}', "mock"],
  ["unknown-key", '{"schema":"v1","extra":true}', "mock"],
  ["not-an-object", "[]", "mock"],
  ["bad-json", '{"schema":"v1",', "mock"],
  ["duplicate-keys", '{"schema":"v1","schema":"v1"}', "mock"],
  ["nan-param", '{"schema":"v1","params":{"x":NaN}}', "mock"],
  ["lone-surrogate-param", '{"schema":"v1","params":{"x":"\\ud800"}}', "mock"],
];

function canonicalOrError(text) {
  try {
    return { canonical: canonicalize(parseJsonStrict(text)) };
  } catch (error) {
    if (error instanceof SigilError) return { error: error.code };
    throw error;
  }
}

function hashOrError(text, mode) {
  try {
    // The payload's mode and the resolved mode must agree; the case's mode is the resolved one.
    return { inputs_hash: resolveInputs(text, mode).inputsHash.value };
  } catch (error) {
    if (error instanceof SigilError) return { error: error.code };
    throw error;
  }
}

const out = {
  canonical: [...canonicalCases, ...rejectCases].map(([name, input]) => ({
    name,
    input,
    ...canonicalOrError(input),
  })),
  inputs_hash: [...inputsCases, ...inputsRejects].map(([name, input, mode]) => ({
    name,
    input,
    mode,
    ...hashOrError(input, mode),
  })),
};
for (const [name] of rejectCases) {
  if (!out.canonical.find((c) => c.name === name).error) throw new Error(`${name} should be refused`);
}
writeFileSync(
  new URL("../test/vectors/cross-language.json", import.meta.url),
  `${JSON.stringify(out, null, 2)}\n`,
);
console.log(`wrote ${out.canonical.length} canonical and ${out.inputs_hash.length} inputs_hash cases`);
