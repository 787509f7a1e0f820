// inspect: HTTP requests and wall time for asserting N = 20 multi-arch images against a loopback
// docker-registry, side by side with `skopeo inspect --raw` on the same images (one process per
// image, as a CI script would run it). Both go through the same counting proxy.
// Goal: ≤ 2 registry requests per image after the token, and faster than skopeo per image.
import { execFile } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { buildImage, pushImage } from "../test/helpers/oci-images.mjs";
import { startBenchRegistry } from "./lib/oci-registry.js";
import { fmt, median } from "./stats.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function main(
  n = Number(process.env.BENCH_IMAGES ?? 20),
  rounds = Number(process.env.BENCH_RUNS ?? 5),
) {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const { createHttpClient } = await lib("core/index.js");
  const { createRegistryClient, assertImagePlatforms } = await lib("supply/index.js");
  const registry = await startBenchRegistry();
  try {
    const images = [];
    for (let i = 0; i < n; i++) {
      await pushImage(
        registry.url,
        `bench/app/img-${i}`,
        "v1",
        buildImage({ seed: `bench-${i}`, attestations: true }),
      );
      images.push(`${registry.proxyHost}/bench/app/img-${i}:v1`);
    }
    const ours = [];
    let ourRequests = 0;
    for (let r = 0; r < rounds; r++) {
      const client = createRegistryClient({ http: createHttpClient({ timeoutMs: 10_000 }) });
      registry.resetRequests();
      const started = performance.now();
      for (const image of images) await assertImagePlatforms(client, image);
      ours.push(performance.now() - started);
      ourRequests = registry.requests;
    }
    const theirs = [];
    let skopeoRequests = 0;
    for (let r = 0; r < rounds; r++) {
      registry.resetRequests();
      const started = performance.now();
      // Async: the counting proxy lives in this process and must keep answering.
      for (const image of images)
        await run("skopeo", ["inspect", "--raw", "--tls-verify=false", `docker://${image}`]);
      theirs.push(performance.now() - started);
      skopeoRequests = registry.requests;
    }
    const perOurs = median(ours) / n;
    const perTheirs = median(theirs) / n;
    console.log(
      `inspect: sigil ${fmt(perOurs)}/image, ${ourRequests / n} request(s)/image (assert, N=${n}) · ` +
        `skopeo inspect --raw ${fmt(perTheirs)}/image, ${skopeoRequests / n} request(s)/image · ` +
        `${(perTheirs / perOurs).toFixed(1)}× faster`,
    );
  } finally {
    await registry.close();
  }
}
