/**
 * RTO over time, drawn on the server as inline SVG (no script, no chart library): one point per passed drill at its
 * measured recovery time, a cross on the time axis per failed or inconclusive drill, the target as a dashed line.
 * `svg#rto-chart` and `circle.point` are stable so a browser test can check that it drew. Coordinates are numbers
 * computed here; every text in it goes through `html`.
 */
import { svgFigure } from './svgFigure';
import { html, type Html } from '../htmlText';
import type { RunSummary } from '../../evidence/runSummary';
import { duration, utcMinute } from './format';

const W = 640;
const H = 260;
const LEFT = 56;
const RIGHT = 16;
const TOP = 16;
const BOTTOM = 44;
const PAD = 12;

const fixed = (n: number): string => n.toFixed(1);

interface Drill {
  at: number;
  iso: string;
  night: string;
  verdict: string;
  rtoMs?: number;
}

const drillsOf = (history: readonly RunSummary[]): Drill[] =>
  history
    .flatMap((s): Drill[] => {
      const d = s.drill;
      if (d?.verdict === undefined) return [];
      const iso = d.finishedAt ?? s.finishedAt ?? s.updatedAt;
      const at = Date.parse(iso);
      if (!Number.isFinite(at)) return [];
      const drill: Drill = { at, iso, night: s.night, verdict: d.verdict };
      if (d.verdict === 'passed' && d.rtoMs !== undefined) drill.rtoMs = d.rtoMs;
      return [drill];
    })
    .sort((a, b) => a.at - b.at);

/** The passed drills with a measured RTO that the chart draws as points (the browser test counts them). */
export const chartedDrills = (history: readonly RunSummary[]): number =>
  drillsOf(history).filter((d) => d.rtoMs !== undefined).length;

export function rtoChart(history: readonly RunSummary[], rtoTargetMinutes: number): Html {
  const drills = drillsOf(history);
  const passed = drills.filter((d): d is Drill & { rtoMs: number } => d.rtoMs !== undefined);
  const failed = drills.filter((d) => d.verdict !== 'passed');
  if (passed.length === 0)
    return html`<p id="rto-chart-empty">
      No passed drill yet${failed.length > 0 ? html` (${failed.length} failed or inconclusive)` : ''}: there is no
      measured recovery time to chart.
    </p>`;

  const targetMin = rtoTargetMinutes;
  const maxMin = Math.max(targetMin * 1.2, ...passed.map((d) => (d.rtoMs / 60_000) * 1.1), 1);
  const t0 = drills[0]?.at ?? 0;
  const t1 = drills[drills.length - 1]?.at ?? t0;
  const plotW = W - LEFT - RIGHT;
  const plotH = H - TOP - BOTTOM;
  // Points are kept off the axes by PAD so that none is cut in half.
  const x = (t: number): number =>
    t1 === t0 ? LEFT + plotW / 2 : LEFT + PAD + ((t - t0) / (t1 - t0)) * (plotW - 2 * PAD);
  const y = (minutes: number): number => TOP + plotH - (minutes / maxMin) * plotH;
  const base = TOP + plotH;

  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => Math.round(maxMin * f));
  const grid = ticks.map(
    (m) =>
      html`<line class="grid" x1="${LEFT}" x2="${W - RIGHT}" y1="${fixed(y(m))}" y2="${fixed(y(m))}" /><text
          x="${LEFT - 6}"
          y="${fixed(y(m) + 4)}"
          text-anchor="end"
          >${m}</text
        >`,
  );
  const line = passed.map((d, i) => `${i === 0 ? 'M' : 'L'}${fixed(x(d.at))} ${fixed(y(d.rtoMs / 60_000))}`).join(' ');
  const first = drills[0];
  const last = drills[drills.length - 1];
  const label = `Measured RTO of ${passed.length} passed drill${passed.length === 1 ? '' : 's'}${
    failed.length > 0 ? ` and ${failed.length} failed or inconclusive` : ''
  } from ${utcMinute(first?.iso)} to ${utcMinute(last?.iso)}, against a target of ${targetMin} min; latest ${duration(passed[passed.length - 1]?.rtoMs)}.`;

  return svgFigure(
    'rto-chart',
    label,
    W,
    H,
    html`${grid}
      <line class="axis" x1="${LEFT}" x2="${LEFT}" y1="${TOP}" y2="${base}" />
      <line class="axis" x1="${LEFT}" x2="${W - RIGHT}" y1="${base}" y2="${base}" />
      <text
        x="14"
        y="${fixed(TOP + plotH / 2)}"
        transform="rotate(-90 14 ${fixed(TOP + plotH / 2)})"
        text-anchor="middle"
      >
        RTO (min)
      </text>
      <text x="${LEFT}" y="${H - 22}" text-anchor="start">${utcMinute(first?.iso)}</text>
      <text x="${W - RIGHT}" y="${H - 22}" text-anchor="end">${utcMinute(last?.iso)}</text>
      <text x="${fixed(LEFT + plotW / 2)}" y="${H - 6}" text-anchor="middle">drill finished (UTC)</text>
      <line class="target" x1="${LEFT}" x2="${W - RIGHT}" y1="${fixed(y(targetMin))}" y2="${fixed(y(targetMin))}" />
      <text x="${W - RIGHT - 4}" y="${fixed(y(targetMin) - 5)}" text-anchor="end">target ${targetMin} min</text>
      ${passed.length > 1 ? html`<path class="rto-line" d="${line}" />` : ''}
      ${passed.map(
        (d) =>
          html`<circle class="point" cx="${fixed(x(d.at))}" cy="${fixed(y(d.rtoMs / 60_000))}" r="4.5"
            ><title>${d.night}: passed, RTO ${duration(d.rtoMs)}</title></circle
          >`,
      )}
      ${failed.map((d) => {
        const cx = x(d.at);
        return html`<g class="failed-drill"
          ><title>${d.night}: ${d.verdict}</title
          ><line x1="${fixed(cx - 5)}" x2="${fixed(cx + 5)}" y1="${fixed(base - 5)}" y2="${fixed(base + 5)}" /><line
            x1="${fixed(cx - 5)}"
            x2="${fixed(cx + 5)}"
            y1="${fixed(base + 5)}"
            y2="${fixed(base - 5)}"
        /></g>`;
      })}`,
  );
}
