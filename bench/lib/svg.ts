// Two small SVG charts for the benchmark report, written by hand (no plotting dependency): the timeline of
// one fault (T00-T08 as marks on a millisecond axis) and a histogram of latency samples.
const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function timelineSvg(title: string, points: { name: string; label: string; ms: number }[]): string {
  const width = 860;
  const rowHeight = 26;
  const left = 300;
  const right = 40;
  const top = 50;
  const height = top + points.length * rowHeight + 40;
  const maxMs = Math.max(1, ...points.map((p) => p.ms));
  const x = (ms: number) => left + ((width - left - right) * ms) / maxMs;
  const ticks = 5;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="13">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="16">${escape(title)}</text>`,
  ];
  for (let i = 0; i <= ticks; i++) {
    const ms = (maxMs * i) / ticks;
    parts.push(
      `<line x1="${x(ms)}" y1="${top - 8}" x2="${x(ms)}" y2="${height - 30}" stroke="#ddd"/>`,
      `<text x="${x(ms)}" y="${height - 12}" text-anchor="middle" fill="#555">${Math.round(ms)} ms</text>`,
    );
  }
  points.forEach((p, i) => {
    const y = top + i * rowHeight;
    parts.push(
      `<text x="10" y="${y + 5}">${escape(`${p.name}  ${p.label}`)}</text>`,
      `<line x1="${left}" y1="${y}" x2="${x(p.ms)}" y2="${y}" stroke="#4a78b5" stroke-width="6"/>`,
      `<circle cx="${x(p.ms)}" cy="${y}" r="5" fill="#c0392b"/>`,
      `<text x="${Math.min(x(p.ms) + 8, width - right)}" y="${y + 5}" fill="#333">${Math.round(p.ms)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}

export function histogramSvg(title: string, unit: string, samples: number[], bins = 12): string {
  const width = 640;
  const height = 320;
  const left = 50;
  const bottom = 40;
  const top = 40;
  const min = Math.min(...samples);
  const max = Math.max(...samples);
  const span = max - min || 1;
  const counts = new Array<number>(bins).fill(0);
  for (const s of samples) counts[Math.min(bins - 1, Math.floor(((s - min) / span) * bins))]!++;
  const tallest = Math.max(1, ...counts);
  const barWidth = (width - left - 20) / bins;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escape(title)} (n=${samples.length})</text>`,
  ];
  counts.forEach((count, i) => {
    const h = ((height - top - bottom) * count) / tallest;
    const x = left + i * barWidth;
    parts.push(
      `<rect x="${x + 1}" y="${height - bottom - h}" width="${barWidth - 2}" height="${h}" fill="#4a78b5"/>`,
    );
    if (count > 0)
      parts.push(
        `<text x="${x + barWidth / 2}" y="${height - bottom - h - 4}" text-anchor="middle">${count}</text>`,
      );
  });
  for (const [i, value] of [min, (min + max) / 2, max].entries()) {
    parts.push(
      `<text x="${left + (i * (width - left - 20)) / 2}" y="${height - 15}" text-anchor="middle">${value.toFixed(0)} ${escape(unit)}</text>`,
    );
  }
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
