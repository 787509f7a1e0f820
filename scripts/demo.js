#!/usr/bin/env node
// `npm run demo`: the main job on the embedded default, offline. Runs each example processor
// through `sigil run` exactly as a user would, then shows where the envelope, outputs and
// receipts are. No credentials, no network, no server.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const world = process.env.SIGIL_WORLD ?? join(root, "artifacts");
const sigil = (args) =>
  execFileSync(process.execPath, [join(root, "bin/sigil.cjs"), ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"], // NDJSON logs are on stderr; the demo shows the envelope
    env: { ...process.env, SIGIL_WORLD: world },
  });

const runs = [
  { ref: "llm/litellm@1", inputs: { schema: "v1", params: { messages: [{ role: "user", content: "hi" }] } } },
  {
    ref: "vision/replicate@1",
    inputs: { schema: "v1", params: { prompt: "a lighthouse at dusk, ink drawing" } },
  },
];

console.log(`SIGIL.ZERO demo: world root ${world}\n`);
for (const { ref, inputs } of runs) {
  const args = ["run", "--ref", ref, "--adapter", "local", "--mode", "mock", "--world", world];
  args.push(
    "--write-prefix",
    join(world, "outputs/demo/{execution_id}/"),
    "--inputs-json",
    JSON.stringify(inputs),
    "--json",
  );
  console.log(`$ sigil ${args.map((a) => (/[\s{}"]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  const envelope = JSON.parse(sigil(args));
  console.log(JSON.stringify(envelope, null, 2));
  const prefix = join(world, envelope.index_path.replace("world://", "").replace(/\/outputs\.json$/, ""));
  const receipt = JSON.parse(readFileSync(join(prefix, "receipt.json"), "utf8"));
  console.log(`  outputs:  ${join(prefix, "outputs")}/`);
  console.log(`  index:    ${join(prefix, "outputs.json")}`);
  console.log(`  receipts: ${join(prefix, "receipt.json")}`);
  console.log(`            ${join(world, "execution", envelope.execution_id, "determinism.json")}`);
  console.log(
    `  inputs_hash ${receipt.inputs_hash} (${receipt.hash_schema}), image ${receipt.image_digest}\n`,
  );
}
console.log(
  "Run it again: outputs and inputs_hash are byte-identical; only execution ids and times change.\n",
);

// Governed jobs: a brief becomes a content-addressed run; the second is chained on the first,
// and proposing the first again replays it without executing anything.
for (const brief of ["instagram-copy.yaml", "compliance-review.yaml", "instagram-copy.yaml"]) {
  const args = ["job", "run", join("examples/briefs", brief), "--mode", "mock", "--world", world, "--json"];
  console.log(`$ sigil ${args.join(" ")}`);
  const result = JSON.parse(sigil(args));
  const replay = result.replayed_from ? ` (replayed_from ${result.replayed_from}: nothing executed)` : "";
  console.log(`  ${result.status}: ${result.job_type} → ${result.run}${replay}`);
  console.log(`  manifest ${result.manifest}\n`);
}

// The proof: every governed run in the world checked against its own hashes and identity.
console.log(`$ sigil verify ${world}`);
console.log(sigil(["verify", world]));
