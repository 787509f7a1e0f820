import { SigilError } from "../core/index.js";
import { createLocalGitPublisher, loadDefaultBranchConfig, signLocalApproval } from "../governance/index.js";
import { parseKb } from "./kb-target.js";
import { createLocalGateBackend } from "./local-gates.js";
import { type OpenOptions, type Orchestrator, openOrchestrator } from "./open.js";

/** Why `approve` refuses a GitHub KB. */
export const APPROVE_ON_GITHUB =
  "on GitHub a sovereign approves by reviewing the request PR (the App then resumes the run); approve signs for a local KB only";

/** `--kb` of a local command: a local git repository; `github:` is refused with `why`. */
export function localKbPath(kb: string, why: string, cwd = process.cwd()): string {
  const target = parseKb(kb, cwd);
  if (target.kind === "github") throw new SigilError("ERR_USAGE", `--kb ${kb}: ${why}`);
  return target.path;
}

/**
 * Everything a local run needs: the local git publisher on the KB, the PGlite ledger under
 * `<root>/.sigil/orchestrator/ledger`, and signed-approval gates whose signers come from the
 * default branch's `.github/sigil.yml` of the project.
 */
export async function openLocalOrchestrator(options: OpenOptions & { kb: string }): Promise<Orchestrator> {
  const path = localKbPath(options.kb, "a GitHub governance repository is opened by openGitHubOrchestrator");
  return openOrchestrator({
    ...options,
    kb: { kind: "local", path },
    backend: async (_ledger, clock) => {
      const publisher = await createLocalGitPublisher({ repo: path });
      const gates = createLocalGateBackend({
        publisher,
        clock,
        allowedSigners: async () => (await loadDefaultBranchConfig(options.root)).sovereigns.ssh_keys,
      });
      return { publisher, gates };
    },
  });
}

/** `sigil orchestrate approve`: signs with the sovereign's key; needs no ledger. */
export async function approveLocalRequest(options: {
  root: string;
  kb: string;
  requestPath: string;
  keyPath: string;
}) {
  const path = localKbPath(options.kb, APPROVE_ON_GITHUB);
  const publisher = await createLocalGitPublisher({ repo: path });
  const config = await loadDefaultBranchConfig(options.root);
  return signLocalApproval({
    publisher,
    requestPath: options.requestPath,
    keyPath: options.keyPath,
    allowedSigners: config.sovereigns.ssh_keys,
  });
}
