import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type Clock, SigilError, systemClock } from "../core/index.js";
import { createLocalGitPublisher, loadDefaultBranchConfig, signLocalApproval } from "../governance/index.js";
import { openPglite } from "../index/index.js";
import type { OrchestratorDeps } from "./engine.js";
import { openLedger } from "./ledger.js";
import { createLocalGateBackend } from "./local-gates.js";
import { allLedgerSchemas } from "./pipelines/index.js";
import { runsDir } from "./sidecar.js";

export interface LocalOrchestrator {
  readonly deps: OrchestratorDeps;
  close(): Promise<void>;
}

/** `--kb` names a local git repository; `github:<owner>/<repo>` is the App's business. */
export function assertLocalKb(kb: string): void {
  if (kb.startsWith("github:"))
    throw new SigilError(
      "ERR_USAGE",
      `--kb ${kb}: GitHub governance repositories are driven by the App; give a local git repository`,
    );
}

/**
 * Everything a local run needs: the local git publisher on the KB, the PGlite ledger under
 * `<root>/.sigil/orchestrator/ledger`, and signed-approval gates whose signers come from the
 * default branch's `.github/sigil.yml` of the project.
 */
export async function openLocalOrchestrator(options: {
  root: string;
  kb: string;
  clock?: Clock;
  sleep?: (ms: number) => Promise<void>;
  onStage?: OrchestratorDeps["onStage"];
}): Promise<LocalOrchestrator> {
  assertLocalKb(options.kb);
  const clock = options.clock ?? systemClock;
  const publisher = await createLocalGitPublisher({ repo: resolve(options.kb) });
  const db = await openPglite(join(runsDir(options.root), "ledger"));
  try {
    const ledger = await openLedger(db, allLedgerSchemas());
    const gates = createLocalGateBackend({
      publisher,
      clock,
      allowedSigners: async () => (await loadDefaultBranchConfig(options.root)).sovereigns.ssh_keys,
    });
    return {
      deps: {
        root: options.root,
        publisher,
        ledger,
        gates,
        clock,
        sleep: options.sleep ?? ((ms) => sleep(ms).then(() => undefined)),
        ...(options.onStage ? { onStage: options.onStage } : {}),
      },
      close: () => db.close(),
    };
  } catch (error) {
    await db.close();
    throw error;
  }
}

/** `sigil orchestrate approve`: signs with the sovereign's key; needs no ledger. */
export async function approveLocalRequest(options: {
  root: string;
  kb: string;
  requestPath: string;
  keyPath: string;
}) {
  assertLocalKb(options.kb);
  const publisher = await createLocalGitPublisher({ repo: resolve(options.kb) });
  const config = await loadDefaultBranchConfig(options.root);
  return signLocalApproval({
    publisher,
    requestPath: options.requestPath,
    keyPath: options.keyPath,
    allowedSigners: config.sovereigns.ssh_keys,
  });
}
