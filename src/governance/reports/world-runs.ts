import { join } from "node:path";
import { createManifestLoader, scanWorld } from "../../world/verify/index.js";

/** What the report says about one run folder of a World, read from its manifest. */
export interface RunSummary {
  /** `<job_id>/<run_id>`, world-relative. */
  path: string;
  job_id: string;
  run_id: string;
  /** Absent when the manifest is missing or unreadable (the verifier has a finding for it). */
  job_type?: string;
  processor?: string;
  outputs?: number;
  /** Upstream runs this run consumed, as `<job_id>/<run_id>`. */
  upstream: string[];
}

/** Every run folder of the World, sorted, with what its manifest says (best effort). */
export async function collectRunSummaries(worldRoot: string): Promise<RunSummary[]> {
  const load = createManifestLoader();
  const summaries: RunSummary[] = [];
  for (const path of scanWorld(worldRoot).runPaths) {
    const [job_id = "", run_id = ""] = path.split("/");
    const loaded = await load(join(worldRoot, path));
    if (!loaded.ok) {
      summaries.push({ path, job_id, run_id, upstream: [] });
      continue;
    }
    const { manifest } = loaded;
    summaries.push({
      path,
      job_id,
      run_id,
      job_type: manifest.job_type,
      processor: manifest.processor.ref,
      outputs: manifest.outputs.length,
      upstream: manifest.chain.map((link) => `${link.job_id}/${link.run_id}`),
    });
  }
  return summaries;
}
