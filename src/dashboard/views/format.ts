import { html, type SafeHtml } from '../html';

/** ISO time in UTC to the second: the same text on every operator's screen. */
export function when(value: Date | string | number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '–' : date.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = s / 60;
  if (m < 60) return `${Math.floor(m)} min ${Math.round(s % 60)} s`;
  const h = m / 60;
  if (h < 48) return `${Math.floor(h)} h ${Math.round(m % 60)} min`;
  return `${Math.floor(h / 24)} d ${Math.round(h % 24)} h`;
}

/** Pretty JSON in a <pre>: job data shown exactly, and escaped. */
export function jsonBlock(value: unknown, label?: string): SafeHtml {
  const text = value === undefined ? '(none)' : JSON.stringify(value, null, 2);
  return html`<pre class="json"${label ? html` aria-label="${label}"` : ''}>${text}</pre>`;
}

export function statusBadge(status: string): SafeHtml {
  return html`<span class="badge status-${status}">${status}</span>`;
}

/** A query string from the non-empty values. */
export function queryString(values: Record<string, string | number | boolean | undefined | null>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}
