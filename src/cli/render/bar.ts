/** A horizontal bar of `width` cells, filled in proportion to value/max; any non-zero value shows at least one cell. */
export function renderBar(value: number, max: number, width: number): string {
  const cells = Math.max(1, Math.floor(width));
  if (max <= 0 || value <= 0) return '░'.repeat(cells);
  const filled = Math.min(cells, Math.max(1, Math.round((value / max) * cells)));
  return '█'.repeat(filled) + '░'.repeat(cells - filled);
}
