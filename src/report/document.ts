import { contentSecurityPolicy, SCRIPT, STYLE } from "./assets.js";
import { html, type Markup, raw } from "./html.js";

/** Thousands separated with commas, without the locale of the machine that made the report. */
export function fmtInt(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
}

/** A whole page: the one style and the policy; `script` says whether the body holds inlineScript(). */
export function documentShell(page: {
  title: string;
  bodyClass: string;
  body: Markup;
  script: boolean;
}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta http-equiv="Content-Security-Policy" content="${contentSecurityPolicy(page.script)}"><meta name="generator" content="sigil report"><title>${page.title}</title><style>${raw(STYLE)}</style></head>
<body class="${page.bodyClass}">${page.body}</body></html>
`.text;
}

/** Where the script goes in a page that has one: right after the runs table, so it runs early. */
export function inlineScript(): Markup {
  return html`<script>${raw(SCRIPT)}</script>`;
}
