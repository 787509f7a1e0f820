// The repository-level files of `sigil init`, as pure string functions. The toolkit's name and
// release tag come from core/toolkit.ts, the one place they are set.
import { TOOLKIT_RELEASE_TAG, TOOLKIT_REPOSITORY } from "../core/index.js";

export const PR_WORKFLOW = ".github/workflows/sigil-pr.yml";
export const MAIN_WORKFLOW = ".github/workflows/sigil-main.yml";

export function sigilConfig(exampleRef: string): string {
  return `# SIGIL.ZERO configuration (${TOOLKIT_REPOSITORY}: docs/contracts/sigil-config.md). Unknown keys are
# errors; every field left out takes its default.
registry: registry/processors

sovereigns: # who may approve gates (logins or numeric ids)
  users: []
  teams: []

pr_lane:
  # The inputs payload (schema v1, mock only) each processor runs with in the PR lane;
  # a processor not listed here runs with {"schema": "v1"}.
  inputs:
    ${exampleRef}:
      schema: v1
      params:
        text: "Hello from the PR lane."
`;
}

export function prWorkflow(): string {
  return `# The hermetic PR lane of SIGIL.ZERO: every processor (or, on pull requests, every changed one)
# from source, twice, mode=mock, no secrets; byte-identical outputs or the check fails.
# Needs: permissions contents: read. Secrets: none.
name: SIGIL.ZERO · PR lane
on:
  pull_request:
  push:
    branches: [main]
permissions:
  contents: read
jobs:
  sigil:
    uses: ${TOOLKIT_REPOSITORY}/.github/workflows/pr-lane.yml@${TOOLKIT_RELEASE_TAG}
    with:
      changed-only: \${{ github.event_name == 'pull_request' }}
      sigil-ref: ${TOOLKIT_RELEASE_TAG}
`;
}

export function mainWorkflow(): string {
  return `# The SIGIL.ZERO main lane: Build & Pin → Acceptance (pinned) → Deploy (mock validation) → Drift.
# Needs: permissions contents: read, packages: write (images go to ghcr.io/<this repository>/…).
# Secrets: MODAL_TOKEN_ID, MODAL_TOKEN_SECRET (Deploy, Drift) and the values of the secrets your
# registry entries name (passed on by \`secrets: inherit\`, synced to Modal by name).
name: SIGIL.ZERO · main lane
on:
  push:
    branches: [main]
permissions:
  contents: read
  packages: write
jobs:
  sigil:
    uses: ${TOOLKIT_REPOSITORY}/.github/workflows/main-lane.yml@${TOOLKIT_RELEASE_TAG}
    with:
      environment: main
      sigil-ref: ${TOOLKIT_RELEASE_TAG}
      changed-since: \${{ github.event.before }}
    secrets: inherit
`;
}

export const DOCTRINE_README = `# Doctrine

Versioned policy documents governed jobs follow: \`doctrine/<doctrine_id>/<version>.md\`, with a
YAML front matter (\`doctrine_id\`, \`version\`, \`title\`, optional \`rules\`) and the guidance as
Markdown. Never edit a version a run has used: add \`v<N+1>\`. A brief names one with
\`doctrine: {id: house-style, version: v1}\`.
`;

export const DOCTRINE_V1 = `---
doctrine_id: house-style
version: v1
title: House style
rules:
  max_chars: 2200
  max_hashtags: 10
  banned_phrases:
    - guaranteed
---
# House style · v1

- Plain words, short sentences, second person ("you").
- No claims we cannot prove.
- One call to action per post.
`;

export function exampleBrief(): string {
  return `# A governed job (docs/governed-jobs.md of SIGIL.ZERO): sigil job run briefs/example.yaml --mode mock --json
# The job type brand.instagram_copy runs the processor llm/litellm@1: add it first with
#   npx sigil processor new --ref llm/litellm@1
# Everything but \`runtime\` is canonical input: change any of it and the run_id changes.
schema: sigil.brief/v1
job_id: example-launch-copy
job_type: brand.instagram_copy
objective: Announce our first release to the people who asked for it.
context:
  brand: Example Co
  product: Widgets 1.0
  audience: early users
  key_points:
    - faster set-up
  call_to_action: Try it today.
  hashtags: [widgets]
  language: en
doctrine:
  id: house-style
  version: v1
runtime:
  labels: [example]
`;
}

export const GITIGNORE = "artifacts/\n__pycache__/\n*.pyc\n.sigil/\n";
