// Labels and number formats shared by charts and tables.

export const CATEGORIES = ['analytics', 'personalization', 'marketing'];
export const CATEGORY_LABELS = {
  analytics: 'Analytics',
  personalization: 'Personalization',
  marketing: 'Marketing',
};
export const METHODS = ['accept_all', 'reject_all', 'custom', 'gpc', 'withdraw', 'notice'];
export const METHOD_LABELS = {
  accept_all: 'Accept all',
  reject_all: 'Reject all',
  custom: 'Custom choice',
  gpc: 'GPC (automatic)',
  withdraw: 'Withdrawn',
  notice: 'Notice acknowledged',
};

const integer = new Intl.NumberFormat('en');

export function count(value) {
  return integer.format(value);
}

export function percent(rate) {
  return rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(1)} %`;
}

export function share(part, whole) {
  return whole > 0 ? percent(part / whole) : '–';
}
