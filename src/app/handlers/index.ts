import { parseOwnerName } from "../../core/index.js";
import {
  createGitHubPublisher,
  createLocalGitPublisher,
  type GovernancePublisher,
  type PublisherFactory,
} from "../../governance/index.js";
import type { RegistryClient } from "../../supply/index.js";
import type { HandlerRegistration } from "../handler-registry.js";
import { APPROVAL_EVENTS, createApprovalHandler } from "./approval.js";
import { createPinCheckHandler, PIN_CHECK_EVENTS } from "./pin-check.js";
import { createPinPrHandler } from "./pin-pr.js";
import { createWorldReportHandler, WORLD_REPORT_EVENTS } from "./world-report.js";

/** What handlers need beyond one delivery (docs/app.md "Wiring"). */
export interface HandlerDeps {
  /** The OCI client for a registry host (the pin check's digest and platform reads). */
  registryClientFor: (registry: string) => RegistryClient;
  /** The App's bot user id: the only author whose sticky comments it finds and edits. */
  appUserId: number | (() => Promise<number>);
  /** Registry host → mirror host (tests point ghcr.io at a loopback registry). */
  mirrors?: ReadonlyMap<string, string>;
  /** The governance backend; by default `governance.repo` of the config (owner/name or a path). */
  publisherFor?: PublisherFactory;
  /** SIGIL_ORCHESTRATOR_ROOT: the project whose orchestrator runs request PRs resume; absent: no gates. */
  orchestratorRoot?: string;
}

/**
 * The governance repository of `.github/sigil.yml`: `owner/name` is published through the
 * installation's Octokit (the App must be installed there too); anything else is a local git
 * repository on the App's host.
 */
export const publisherFromConfig: PublisherFactory = async (
  config,
  { octokit },
): Promise<GovernancePublisher> => {
  const repo = config.governance.repo ?? "";
  const github = parseOwnerName(repo);
  if (github) return createGitHubPublisher({ octokit, ...github, branch: config.governance.branch });
  return createLocalGitPublisher({ repo, branch: config.governance.branch });
};

/**
 * The App's handler list (docs/app.md "Events → handlers"): one line per handler. Several
 * lines may name the same event; each runs.
 */
export function createHandlers(deps: HandlerDeps): HandlerRegistration[] {
  return [
    pinPrRegistration(),
    {
      name: "pin-check",
      events: [...PIN_CHECK_EVENTS],
      handler: createPinCheckHandler({
        registryClientFor: deps.registryClientFor,
        ...(deps.mirrors ? { mirrors: deps.mirrors } : {}),
      }),
    },
    {
      name: "world-report",
      events: [...WORLD_REPORT_EVENTS],
      handler: createWorldReportHandler({
        appUserId: deps.appUserId,
        publisherFor: deps.publisherFor ?? publisherFromConfig,
      }),
    },
    ...(deps.orchestratorRoot
      ? [
          {
            name: "approval",
            events: [...APPROVAL_EVENTS],
            handler: createApprovalHandler({ orchestratorRoot: deps.orchestratorRoot }),
          },
        ]
      : []),
  ];
}

/** The pin-PR handler alone (it needs no dependencies; its tests and benchmarks count its requests). */
export function pinPrRegistration(): HandlerRegistration {
  return {
    name: "pin-pr",
    events: ["workflow_run.completed", "repository_dispatch"],
    handler: createPinPrHandler(),
  };
}
