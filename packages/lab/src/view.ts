/** Rendering the lab's live view and summary as plain text (pure). */

export interface WanRow {
  name: string;
  label: string;
  state: string;
  latencyMs: number | null;
  lossPercent: number | null;
  share: number;
}

const pad = (s: string, n: number): string => (s.length >= n ? s.slice(0, n) : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number): string => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const bar = (f: number, width = 20): string => '█'.repeat(Math.round(f * width)) + '·'.repeat(width - Math.round(f * width));

export function renderRows(rows: readonly WanRow[]): string {
  const head = `  ${pad('WAN', 8)} ${pad('state', 14)} ${lpad('latency', 9)} ${lpad('loss', 6)}  share of live flows`;
  const lines = rows.map((r) => {
    const lat = r.latencyMs === null ? '-' : `${r.latencyMs.toFixed(0)} ms`;
    const loss = r.lossPercent === null ? '-' : `${r.lossPercent.toFixed(0)}%`;
    return `  ${pad(r.label, 8)} ${pad(r.state, 14)} ${lpad(lat, 9)} ${lpad(loss, 6)}  ${bar(r.share)} ${lpad((r.share * 100).toFixed(0), 3)}%`;
  });
  return [head, ...lines].join('\n');
}

export interface SummaryRow {
  step: string;
  measured: string;
  ok: boolean;
  detail: string;
}

export function renderSummary(rows: readonly SummaryRow[]): string {
  const w0 = Math.max(4, ...rows.map((r) => r.step.length));
  const w1 = Math.max(8, ...rows.map((r) => r.measured.length));
  const out = [`${pad('step', w0)}  ${pad('measured', w1)}  result`, `${'-'.repeat(w0)}  ${'-'.repeat(w1)}  ------`];
  for (const r of rows) out.push(`${pad(r.step, w0)}  ${pad(r.measured, w1)}  ${r.ok ? 'ok' : 'FAILED'}${r.detail ? `  (${r.detail})` : ''}`);
  return out.join('\n');
}
