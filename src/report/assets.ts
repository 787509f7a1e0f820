import { createHash } from "node:crypto";

/**
 * The page's one stylesheet and one script, inline (a report is one file that works from
 * file:// with no network). The Content-Security-Policy allows exactly these two by hash, data:
 * images and nothing else: even a value that escaped escaping could not run or load anything.
 */
export const STYLE = `:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--panel:#f6f8fa;--ok:#1a7f37;--bad:#cf222e;--warn:#9a6700;--info:#0969da;--node:#fff;--badfill:#ffebe9}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--panel:#151b23;--ok:#3fb950;--bad:#f85149;--warn:#d29922;--info:#4493f8;--node:#151b23;--badfill:#3c1618}}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1280px;padding:16px;background:var(--bg);color:var(--fg);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
code,.m{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
a{color:var(--info)}
h1{font-size:1.5rem;margin:.2em 0}
h2{font-size:1.15rem;margin:1.4em 0 .5em;border-bottom:1px solid var(--line);padding-bottom:.2em}
h3{font-size:1.05rem;margin:.2em 0 .4em;word-break:break-all}
h4{font-size:.95rem;margin:1em 0 .3em}
.verdict{font-size:1.1rem;font-weight:600;margin:.3em 0}.verdict.ok{color:var(--ok)}.verdict.bad{color:var(--bad)}
.badge{display:inline-block;font-size:.75rem;letter-spacing:.05em;color:var(--bg);border-radius:4px;padding:1px 6px;vertical-align:2px}.ok .badge{background:var(--ok)}.bad .badge{background:var(--bad)}
.nowrap{white-space:nowrap}
tr.preview-row td{border-top:0;padding-top:0}
.files tbody th,.files td:nth-child(3){font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px;font-weight:normal}
.files td:nth-child(2){text-align:right;white-space:nowrap}.files td:nth-child(3){word-break:break-all}
.files caption{font-weight:600;color:var(--fg);font-size:.95rem;padding-top:1em}
.chips{display:flex;flex-wrap:wrap;gap:6px;padding:0;margin:.5em 0;list-style:none}
.chips li{border:1px solid var(--line);border-radius:12px;padding:1px 8px;background:var(--panel)}
.note{color:var(--muted)}
.scroll{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%}
caption{text-align:left;color:var(--muted);padding:4px 0}
th,td{text-align:left;padding:4px 8px;border-bottom:1px solid var(--line);vertical-align:top}
thead th{background:var(--panel);white-space:nowrap}
th button{font:inherit;font-weight:600;color:inherit;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" ▲"}th[aria-sort=descending] button::after{content:" ▼"}
td.num,th.num{text-align:right}
.hash{word-break:break-all}
.s-settled{color:var(--ok)}.s-failed,.s-finding{color:var(--bad)}.s-pending{color:var(--info)}.s-incomplete,.s-corrupt{color:var(--warn)}
.status{white-space:nowrap;font-weight:600}
#runs{font-size:13px}
#runs tbody tr>:nth-child(-n+2),#runs td:nth-child(4),#runs td:nth-child(8){font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:12px}
#runs tbody tr>:nth-child(-n+2){white-space:nowrap}#runs td:first-child{max-width:18em;overflow:hidden;text-overflow:ellipsis}
#runs td:nth-child(7){font-weight:600}#runs td:nth-child(8){min-width:11em;max-width:15em;word-break:break-all}#runs th,#runs td{padding:4px 6px}#runs td:nth-child(n+9){text-align:right}
#runs .dg{color:var(--muted);white-space:nowrap}
#runs tbody.page{display:none}
#runs tbody.page:first-of-type,#runs tbody.page:target{display:table-row-group}
#runs:has(tbody.page:target) tbody.page:first-of-type:not(:target){display:none}
.pages{margin:8px 0}.pages a{margin-right:6px}
.js .pages,.js .nojs{display:none}
.controls{display:flex;flex-wrap:wrap;gap:8px 14px;align-items:center;margin:8px 0}
.controls[hidden]{display:none}
.controls input,.controls select,.controls button{font:inherit}
.run{display:none;border:1px solid var(--line);border-radius:8px;padding:12px;margin:12px 0}
.run:target,.run.shown,.site-run .run{display:block}
svg.lineage{max-width:100%;height:auto;display:block}
svg.lineage a{text-decoration:none}
.node rect{fill:var(--node);stroke:var(--line);stroke-width:1.5}
.node text{fill:var(--fg);font:12px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.node .rid{fill:var(--muted)}
.st-settled rect{stroke:var(--ok)}
.st-finding rect{stroke:var(--bad);stroke-width:3;fill:var(--badfill)}
.st-failed rect{stroke:var(--bad);stroke-dasharray:6 3}
.st-pending rect{stroke:var(--info);stroke-dasharray:2 3}
.st-incomplete rect,.st-corrupt rect{stroke:var(--warn)}
.st-missing rect{stroke:var(--muted);stroke-dasharray:4 4;fill:none}
.node.current rect{stroke-width:4}
.edge path{fill:none;stroke:var(--muted);stroke-width:1.5}
.edge polygon{fill:var(--muted)}
pre.preview{max-height:16em;overflow:auto;background:var(--panel);padding:8px;margin:4px 0;white-space:pre-wrap;word-break:break-word}
img.thumb{max-width:160px;max-height:160px;border:1px solid var(--line);display:block;margin:4px 0}
dl.fields{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:2px 12px;margin:.4em 0}
dl.fields dt{color:var(--muted)}dl.fields dd{margin:0;word-break:break-all}
footer{margin-top:2em;color:var(--muted);font-size:12px}
@media (max-width:640px){body{padding:8px;font-size:13px}dl.fields{grid-template-columns:minmax(0,1fr)}dl.fields dd{margin-bottom:4px}#runs tr>:nth-child(6),#runs tr>:nth-child(8),#runs .dg{display:none}th,td{padding:3px 5px}}
`;

/**
 * The runs table without JavaScript is a set of pages switched by links (CSS :target). With it,
 * this script takes the rows over: sort by any column, filter by text and status, page through;
 * and in a large single-file report it renders a run's details from its inert block on demand.
 */
export const SCRIPT = `(function(){"use strict";var d=document;d.documentElement.classList.add("js");
var table=d.getElementById("runs");
if(table){var bodies=[].slice.call(table.tBodies),rows=[];
bodies.forEach(function(b){rows.push.apply(rows,[].slice.call(b.rows));table.removeChild(b);});
rows.forEach(function(r,i){r._i=i;});
var body=d.createElement("tbody");table.appendChild(body);
var $=function(id){return d.getElementById(id);};
var q=$("runs-q"),st=$("runs-status"),size=$("runs-size"),info=$("runs-info"),prev=$("runs-prev"),next=$("runs-next");
$("runs-controls").hidden=false;
var view=rows,page=0,col=-1,dir=1;
var text=function(r){return r._t||(r._t=(r.getAttribute("data-run")+" "+r.textContent).toLowerCase());};
var key=function(r){var c=r.cells[col];return c?(c.getAttribute("data-sort")||c.textContent):"";};
function show(){var n=+size.value,pages=Math.max(1,Math.ceil(view.length/n));page=Math.max(0,Math.min(page,pages-1));
var f=d.createDocumentFragment();view.slice(page*n,page*n+n).forEach(function(r){f.appendChild(r);});
body.textContent="";body.appendChild(f);
info.textContent=view.length?(page*n+1)+"–"+Math.min(view.length,page*n+n)+" of "+view.length+(view.length<rows.length?" (filtered from "+rows.length+")":""):"no run matches";
prev.disabled=page===0;next.disabled=page>=pages-1;}
function apply(){var needle=q.value.trim().toLowerCase(),want=st.value;
view=rows.filter(function(r){return(!want||r.getAttribute("data-status")===want||(want==="finding"&&r.getAttribute("data-findings")!=="0"))&&(!needle||text(r).indexOf(needle)>=0);});
if(col>=0){var num=table.tHead.rows[0].cells[col].getAttribute("data-type")==="num";
view.forEach(function(r){r._k=num?Number(key(r)):key(r);});
view.sort(function(a,b){return a._k<b._k?-dir:a._k>b._k?dir:a._i-b._i;});}
page=0;show();}
[].forEach.call(table.tHead.rows[0].cells,function(th,i){var b=th.querySelector("button");if(!b)return;b.addEventListener("click",function(){
dir=col===i?-dir:1;col=i;[].forEach.call(table.tHead.rows[0].cells,function(h){h.removeAttribute("aria-sort");});
th.setAttribute("aria-sort",dir>0?"ascending":"descending");apply();});});
q.addEventListener("input",apply);st.addEventListener("change",apply);size.addEventListener("change",show);
prev.addEventListener("click",function(){page--;show();});next.addEventListener("click",function(){page++;show();});
show();}
function details(){var id;try{id=decodeURIComponent(location.hash.slice(1));}catch(e){return;}if(id.indexOf("run-")!==0)return;
var el=d.getElementById(id);if(!el){var src=d.getElementById("d-"+id.slice(4)),holder=d.getElementById("details");if(!src||!holder)return;
var t=d.createElement("template");t.innerHTML=src.textContent;el=t.content.firstElementChild;if(!el)return;holder.appendChild(el);}
[].forEach.call(d.querySelectorAll(".run.shown"),function(s){s.classList.remove("shown");});el.classList.add("shown");el.scrollIntoView();}
window.addEventListener("hashchange",details);d.addEventListener("DOMContentLoaded",details);})();`;

const hashOf = (text: string) => `'sha256-${createHash("sha256").update(text, "utf8").digest("base64")}'`;

/** The policy of a page: its own style and (when it has one) its own script, data: images, nothing else. */
export function contentSecurityPolicy(withScript: boolean): string {
  return [
    "default-src 'none'",
    `style-src ${hashOf(STYLE)}`,
    `script-src ${withScript ? hashOf(SCRIPT) : "'none'"}`,
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}
