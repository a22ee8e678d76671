// Date ranges as the API takes them: ISO days, UTC, both ends included.

const DAY_MS = 86400000;

export function parseDay(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text || '') ? new Date(`${text}T00:00:00Z`) : null;
}

export function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

export function addDays(text, days) {
  return isoDay(new Date(parseDay(text).getTime() + days * DAY_MS));
}

export function daysBetween(from, to) {
  return Math.round((parseDay(to) - parseDay(from)) / DAY_MS) + 1;
}

/** A message saying what is wrong with the range, or null when the API will take it. */
export function rangeProblem(from, to, maxDays) {
  if (!parseDay(from) || !parseDay(to)) return 'Choose both dates.';
  if (from > to) return 'The first day is after the last day.';
  if (daysBetween(from, to) > maxDays) return `Choose at most ${maxDays} days.`;
  return null;
}
