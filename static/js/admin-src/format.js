// Labels and number formats shared by charts and tables. Categories are not here: they are
// data (data/categories.json), given by the page as [{id, title}] in data-categories.

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
