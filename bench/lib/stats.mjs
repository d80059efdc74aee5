// Small numeric and formatting helpers shared by the bench sections.

/** The median of a non-empty list (the upper one of the two middle values). */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** A number with `digits` decimals, or thousands separators when large. */
export function fmt(x, digits = 0) {
  if (x === undefined || Number.isNaN(x)) return '—';
  if (Math.abs(x) >= 10000) return Math.round(x).toLocaleString('en');
  return x.toFixed(digits);
}

/** "min–max" of a list. */
export function spread(xs, digits = 0) {
  return `${fmt(Math.min(...xs), digits)}–${fmt(Math.max(...xs), digits)}`;
}

/** "1.23×", or "—" without a floor. */
export function ratio(x, floor) {
  return Number.isFinite(x) && Number.isFinite(floor) && floor > 0 ? `${(x / floor).toFixed(2)}×` : '—';
}

/** A markdown table from a header row and rows of cells. */
export function table(header, rows) {
  return [
    `| ${header.join(' | ')} |`,
    `| ${header.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ];
}

/** Nanoseconds a call of `fn(n)` takes, per iteration. */
export function nsPerCall(fn, n) {
  const t0 = process.hrtime.bigint();
  fn(n);
  return Number(process.hrtime.bigint() - t0) / n;
}
