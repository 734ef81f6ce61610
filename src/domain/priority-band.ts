/** The four priority bands, highest first. A band is a named range of numeric priorities. */
export const PriorityBand = {
  Critical: 'CRITICAL',
  High: 'HIGH',
  Normal: 'NORMAL',
  Low: 'LOW',
} as const;

export type PriorityBand = (typeof PriorityBand)[keyof typeof PriorityBand];

/** Band order used everywhere a worker chooses what to run next. */
export const BANDS_IN_ORDER: readonly PriorityBand[] = [
  PriorityBand.Critical,
  PriorityBand.High,
  PriorityBand.Normal,
  PriorityBand.Low,
];

export interface PriorityRange {
  min: number;
  max: number;
}

export type PriorityLevels = Record<PriorityBand, PriorityRange>;

/** Default ranges: CRITICAL 15–20, HIGH 10–14, NORMAL 5–9, LOW 1–4. */
export const DEFAULT_PRIORITY_LEVELS: PriorityLevels = {
  CRITICAL: { min: 15, max: 20 },
  HIGH: { min: 10, max: 14 },
  NORMAL: { min: 5, max: 9 },
  LOW: { min: 1, max: 4 },
};

/**
 * Priorities of the shipped examples. Each value sits inside its band under the default ranges;
 * older examples used HIGH = 15 and NORMAL = 10, which fall in the band above, so the bands win.
 */
export const JobPriority = {
  CRITICAL: 20,
  HIGH: 12,
  NORMAL: 7,
  LOW: 2,
} as const;

export type JobPriority = (typeof JobPriority)[keyof typeof JobPriority];

/** The band a priority falls in, or undefined when it is outside every configured range. */
export function bandOf(priority: number, levels: PriorityLevels): PriorityBand | undefined {
  return BANDS_IN_ORDER.find((band) => priority >= levels[band].min && priority <= levels[band].max);
}

export function priorityBounds(levels: PriorityLevels): PriorityRange {
  const ranges = BANDS_IN_ORDER.map((band) => levels[band]);
  return { min: Math.min(...ranges.map((r) => r.min)), max: Math.max(...ranges.map((r) => r.max)) };
}
