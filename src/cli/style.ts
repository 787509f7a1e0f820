import type { CliEnv, CliStream } from "./context.js";

/** ANSI colours for a terminal, or identity functions when colour is off. */
export interface Colors {
  enabled: boolean;
  bold(text: string): string;
  dim(text: string): string;
  green(text: string): string;
  red(text: string): string;
  yellow(text: string): string;
  cyan(text: string): string;
}

const ansi = (open: number, close: number) => (text: string) => `\u001b[${open}m${text}\u001b[${close}m`;

/**
 * Colour only on a terminal, never when NO_COLOR is set (https://no-color.org) or TERM is dumb;
 * FORCE_COLOR turns it on for pipes (CI logs that render ANSI).
 */
export function colorsFor(stream: CliStream, env: CliEnv): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0";
  const enabled = env.NO_COLOR === undefined && env.TERM !== "dumb" && (forced || stream.isTTY === true);
  const plain = (text: string) => text;
  return {
    enabled,
    bold: enabled ? ansi(1, 22) : plain,
    dim: enabled ? ansi(2, 22) : plain,
    green: enabled ? ansi(32, 39) : plain,
    red: enabled ? ansi(31, 39) : plain,
    yellow: enabled ? ansi(33, 39) : plain,
    cyan: enabled ? ansi(36, 39) : plain,
  };
}

/** Left-aligned columns, two spaces apart; a table a person can read in a terminal. */
export function alignedTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join("  ")
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join("\n")}\n`;
}
