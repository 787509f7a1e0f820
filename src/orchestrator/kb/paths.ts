/**
 * KB names (docs/orchestrator.md): one folder per run,
 * `knowledge/<space>/<subject-id>/v<version16>-<pipeline>-<YYYYMMDD>[-<HHMM>]/`, and one doc per
 * phase, gate request and final report.
 */
export function runSlug(pipeline: string, startedAtMs: number, secondOfDay: boolean): string {
  const iso = new Date(startedAtMs).toISOString();
  const day = iso.slice(0, 10).replaceAll("-", "");
  return secondOfDay ? `${pipeline}-${day}-${iso.slice(11, 13)}${iso.slice(14, 16)}` : `${pipeline}-${day}`;
}

export function subjectFolder(space: string, subjectId: string): string {
  return `knowledge/${space}/${subjectId}`;
}

export function kbFolder(space: string, subjectId: string, sourceVersionId: string, slug: string): string {
  return `${subjectFolder(space, subjectId)}/v${sourceVersionId.slice(0, 16)}-${slug}`;
}

const nn = (n: number) => String(n).padStart(2, "0");

export function phaseDocName(index: number, phase: string, date: string): string {
  return `${nn(index)}-${phase}-${date}.md`;
}

export function gateDocName(gateId: string, gate: string, date: string): string {
  return `${gateId}-${gate}-authz-request-${date}.md`;
}

export function finalDocName(index: number, date: string): string {
  return `${nn(index)}-final-orchestrator-report-${date}.md`;
}

export function runsIndexPath(space: string): string {
  return `knowledge/${space}/_orchestrator-runs-index/runs.md`;
}

/** Subject ids become folder names: lowercase words and dashes. */
export const SUBJECT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
