/**
 * A run's timeline as bars on one time axis (inline SVG, `svg#timeline` with one `rect.bar` per drawn segment), and
 * the same as a table with the times and details, which is what a screen reader and a narrow screen read. IRIS start
 * and the integrity check have durations only: they are drawn after the agent was ready, one after the other.
 */
import { svgFigure } from './svgFigure';
import { scrollTable } from './scrollTable';
import { html, type Html } from '../htmlText';
import type { SegmentState, TimelineSegment } from '../../evidence/runTimeline';
import { duration, utcMinute, utcSecond } from './format';
import { ragBadge, type BadgeState } from './ragBadge';

const W = 640;
const LABEL = 110;
const RIGHT = 12;
const ROW = 24;
const TOP = 8;
const AXIS = 34;
const MIN_BAR = 3;

const STATE_BADGE: Record<SegmentState, BadgeState> = {
  done: 'green',
  failed: 'red',
  running: 'amber',
  skipped: 'unknown',
};

export const stateBadge = (state: SegmentState): Html => ragBadge(STATE_BADGE[state], state);

interface Placed {
  segment: TimelineSegment;
  from: number;
  to: number;
}

/** Each segment on the axis, when it can be placed: its own times, or after the one before it for a duration. */
function place(segments: readonly TimelineSegment[]): Placed[] {
  const placed: Placed[] = [];
  let cursor: number | undefined;
  for (const s of segments) {
    const start = s.start === undefined ? Number.NaN : Date.parse(s.start);
    const end = s.end === undefined ? Number.NaN : Date.parse(s.end);
    if (Number.isFinite(start)) {
      const to = Number.isFinite(end) ? end : start + (s.durationMs ?? 0);
      placed.push({ segment: s, from: start, to });
      if (s.name === 'agent ready') cursor = to;
    } else if (
      cursor !== undefined &&
      s.durationMs !== undefined &&
      (s.name === 'IRIS start' || s.name === 'integrity')
    ) {
      placed.push({ segment: s, from: cursor, to: cursor + s.durationMs });
      cursor += s.durationMs;
    }
  }
  return placed;
}

export function timelineBars(segments: readonly TimelineSegment[]): Html {
  const placed = place(segments);
  const rows = segments.length;
  const H = TOP + rows * ROW + AXIS;
  const t0 = Math.min(...placed.map((p) => p.from));
  const t1 = Math.max(...placed.map((p) => p.to));
  const span = Math.max(t1 - t0, 1);
  const plotW = W - LABEL - RIGHT;
  const x = (t: number): number => LABEL + ((t - t0) / span) * plotW;
  const where = new Map(placed.map((p) => [p.segment, p]));
  const drawn = placed.length > 0;
  const label = drawn
    ? `Timeline of the run from ${utcMinute(new Date(t0).toISOString())} to ${utcMinute(new Date(t1).toISOString())}: ${segments
        .map((s) => `${s.name} ${s.state}`)
        .join(', ')}.`
    : 'Nothing in this run has a time yet.';

  const svg = drawn
    ? svgFigure(
        'timeline',
        label,
        W,
        H,
        html`${segments.map((s, i) => {
            const y = TOP + i * ROW;
            const p = where.get(s);
            const bar =
              p === undefined
                ? html`<text x="${LABEL + 4}" y="${y + 15}" class="muted">${s.state}</text>`
                : html`<rect
                    class="bar bar-${s.state}"
                    x="${x(p.from).toFixed(1)}"
                    y="${y + 4}"
                    width="${Math.max(MIN_BAR, x(p.to) - x(p.from)).toFixed(1)}"
                    height="${ROW - 8}"
                    ><title>${s.name}: ${s.state}, ${duration(s.durationMs)}</title></rect
                  >`;
            return html`<text x="${LABEL - 6}" y="${y + 16}" text-anchor="end">${s.name}</text>${bar}`;
          })}
          <line
            class="axis"
            x1="${LABEL}"
            x2="${W - RIGHT}"
            y1="${TOP + rows * ROW + 2}"
            y2="${TOP + rows * ROW + 2}"
          />
          <text x="${LABEL}" y="${H - 8}" text-anchor="start">${utcMinute(new Date(t0).toISOString())}</text>
          <text x="${W - RIGHT}" y="${H - 8}" text-anchor="end">
            ${utcMinute(new Date(t1).toISOString())} (${duration(t1 - t0)})
          </text>`,
      )
    : html`<p class="muted">${label}</p>`;

  const table = scrollTable(
    'Timeline',
    'timeline-table',
    [
      { title: 'Phase' },
      { title: 'State' },
      { title: 'Start' },
      { title: 'End' },
      { title: 'Took', numeric: true },
      { title: 'Detail' },
    ],
    html`${segments.map(
      (s) =>
        html`<tr>
          <th scope="row">${s.name}</th>
          <td>${stateBadge(s.state)}</td>
          <td class="nowrap">${s.start === undefined ? '—' : utcSecond(s.start)}</td>
          <td class="nowrap">${s.end === undefined ? '—' : utcSecond(s.end)}</td>
          <td class="num">${duration(s.durationMs)}</td>
          <td>${s.detail}</td>
        </tr> `,
    )}`,
  );
  return html`${svg} ${table}`;
}
