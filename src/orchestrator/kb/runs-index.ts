import type { RunContext } from "../context.js";

export const MAX_INDEX_LINE = 200;

/**
 * One runs-index line (docs/orchestrator.md), at most 200 characters:
 * run_id · subject · source version · state · KB folder · change-set id · decision id · actor · closeout UTC.
 * Long ids are shortened to their random tail; an over-long subject or actor is cut with `…`.
 */
export function runsIndexLine(run: Readonly<RunContext>, decisionId: string | null): string {
  const tail = (id: string | null) => (id ? id.slice(-12) : "-");
  // The folder by its own name: the subject is a field of its own.
  const folder = run.kb_folder.split("/").at(-1) ?? run.kb_folder;
  const closed = (run.closed_at ?? "").replace(/:\d{2}\.\d{3}Z$/, "Z");
  const build = (subject: string, actor: string) =>
    `- ${[run.run_id, subject, run.source_version_id.slice(0, 16), run.state, folder, `cs:${tail(run.context_pins.change_set_id)}`, `dec:${tail(decisionId)}`, actor, closed].join(" · ")}\n`;
  let line = build(run.subject_id, run.actor);
  for (let cut = 1; line.length - 1 > MAX_INDEX_LINE && cut < 64; cut++) {
    const shorten = (s: string) =>
      s.length > 8 + cut ? `${s.slice(0, Math.max(4, s.length - cut * 4))}…` : s;
    line = build(shorten(run.subject_id), shorten(run.actor));
  }
  return line;
}
