/**
 * Two small SVG figures for reports: a confusion-matrix heat map and a line chart of training
 * curves. Plain SVG text (no charting dependency: a report needs two fixed figure types, and SVG
 * renders in browsers, GitHub and Markdown viewers as it is).
 */
const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function confusionMatrixSvg(matrix: number[][], classes: readonly string[], title: string): string {
  const cell = 64;
  const left = 90;
  const top = 60;
  const n = classes.length;
  const w = left + n * cell + 20;
  const h = top + n * cell + 50;
  const rowSums = matrix.map((r) => r.reduce((a, b) => a + b, 0) || 1);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${w / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<text x="${left + (n * cell) / 2}" y="${top - 25}" text-anchor="middle">predicted</text>`,
    `<text x="20" y="${top + (n * cell) / 2}" text-anchor="middle" transform="rotate(-90 20 ${top + (n * cell) / 2})">true</text>`,
  ];
  classes.forEach((c, j) => parts.push(`<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle">${esc(c)}</text>`));
  matrix.forEach((row, i) => {
    parts.push(`<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end">${esc(classes[i] ?? '')}</text>`);
    row.forEach((v, j) => {
      const frac = v / (rowSums[i] as number);
      const shade = Math.round(255 - 200 * frac);
      parts.push(
        `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell}" height="${cell}" fill="rgb(${shade},${shade},255)" stroke="#999"/>`,
        `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" fill="${frac > 0.6 ? 'white' : 'black'}">${v}</text>`,
      );
    });
  });
  parts.push(`<text x="${left}" y="${h - 15}" fill="#555">rows: true class; shade: share of the row</text>`, '</svg>');
  return parts.join('\n');
}

export interface Series {
  name: string;
  points: Array<[number, number]>;
  color: string;
}

export function lineChartSvg(series: Series[], title: string, xLabel: string, yLabel: string): string {
  const w = 640;
  const h = 360;
  const m = { l: 60, r: 150, t: 40, b: 50 };
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = series.flatMap((s) => s.points.map((p) => p[1]));
  const x0 = Math.min(...xs, 0);
  const x1 = Math.max(...xs, 1);
  const y0 = Math.min(...ys, 0);
  const y1 = Math.max(...ys, 1);
  const px = (x: number): number => m.l + ((x - x0) / (x1 - x0 || 1)) * (w - m.l - m.r);
  const py = (y: number): number => h - m.b - ((y - y0) / (y1 - y0 || 1)) * (h - m.t - m.b);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${(w - m.r + m.l) / 2}" y="22" text-anchor="middle" font-size="14" font-weight="bold">${esc(title)}</text>`,
    `<line x1="${m.l}" y1="${h - m.b}" x2="${w - m.r}" y2="${h - m.b}" stroke="black"/>`,
    `<line x1="${m.l}" y1="${m.t}" x2="${m.l}" y2="${h - m.b}" stroke="black"/>`,
    `<text x="${(w - m.r + m.l) / 2}" y="${h - 12}" text-anchor="middle">${esc(xLabel)}</text>`,
    `<text x="16" y="${(h - m.b + m.t) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(h - m.b + m.t) / 2})">${esc(yLabel)}</text>`,
  ];
  for (let k = 0; k <= 4; k++) {
    const y = y0 + ((y1 - y0) * k) / 4;
    const x = x0 + ((x1 - x0) * k) / 4;
    parts.push(
      `<text x="${m.l - 6}" y="${py(y) + 4}" text-anchor="end">${y.toFixed(2)}</text>`,
      `<line x1="${m.l}" y1="${py(y)}" x2="${w - m.r}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${px(x)}" y="${h - m.b + 16}" text-anchor="middle">${Math.round(x)}</text>`,
    );
  }
  series.forEach((s, i) => {
    const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(' ');
    parts.push(
      `<path d="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`,
      `<line x1="${w - m.r + 10}" y1="${m.t + 10 + i * 18}" x2="${w - m.r + 30}" y2="${m.t + 10 + i * 18}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${w - m.r + 35}" y="${m.t + 14 + i * 18}">${esc(s.name)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}
