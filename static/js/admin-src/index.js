// The /admin dashboard: reads its settings from data attributes (no inline script, strict CSP),
// fetches the stats API with the session cookie, draws the charts and keeps the download
// links in step with the chosen range and filters.

import { getJson, withQuery } from './api.js';
import { createCharts, showMix, showRegions, showTrend } from './charts.js';
import { count, percent, share } from './format.js';
import { addDays, rangeProblem } from './range.js';
import { showAccessLog, showRegionTable } from './tables.js';

const byId = (id) => document.getElementById(id);

function readSettings(root) {
  const data = root.dataset;
  return {
    statsUrl: data.statsUrl,
    overviewUrl: data.overviewUrl,
    receiptsUrl: data.receiptsUrl,
    accessLogUrl: data.accessLogUrl,
    today: data.today,
    defaultDays: Number(data.defaultDays),
    maxDays: Number(data.maxDays),
    mayAudit: data.mayAudit === 'true',
    regionNames: Object.fromEntries(JSON.parse(data.regions).map((r) => [r.code, r.name])),
    // [{id, title}] in the catalogue's order: what the charts, totals and tables show.
    categories: JSON.parse(data.categories),
  };
}

function boot(root) {
  const settings = readSettings(root);
  const form = byId('filters');
  const status = byId('status');
  const state = {
    ready: false,
    charts: createCharts({ trend: byId('chart-trend'), regions: byId('chart-regions'), mix: byId('chart-mix') },
      settings.categories),
    report: null,
  };
  // For people and tests poking at the page: the chart instances and the last report.
  window.ConsentAdmin = state;

  const fields = form.elements;
  fields.to.value = settings.today;
  fields.from.value = addDays(settings.today, -(settings.defaultDays - 1));

  function filters() {
    return {
      from: fields.from.value,
      to: fields.to.value,
      region: fields.region.value,
      site: fields.site.value,
    };
  }

  function say(message, isError = false) {
    status.textContent = message;
    status.classList.toggle('error', isError);
  }

  function updateDownloads(chosen) {
    const group = byId('download-group').value;
    const stamp = `${chosen.from}-to-${chosen.to}`;
    const place = { from: chosen.from, to: chosen.to, region: chosen.region, site: chosen.site };
    const links = {
      'download-stats-csv': [settings.statsUrl, { ...chosen, group, format: 'csv' }, `consent-stats-${stamp}-by-${group}.csv`],
      'download-stats-json': [settings.statsUrl, { ...chosen, group, format: 'json' }, `consent-stats-${stamp}-by-${group}.json`],
      // The same region and site as the figures (revision is no receipt filter).
      'download-receipts-csv': [settings.receiptsUrl, { ...place, format: 'csv' }, `consent-receipts-${stamp}.csv`],
      'download-receipts-jsonl': [settings.receiptsUrl, { ...place, format: 'jsonl' }, `consent-receipts-${stamp}.jsonl`],
    };
    for (const [id, [url, params, name]] of Object.entries(links)) {
      const link = byId(id);
      if (!link) continue;          // a stats token gets no receipt links at all
      link.href = withQuery(url, params);
      link.download = name;
    }
  }

  function showTotals(totals) {
    const values = {
      answered: count(totals.answered),
      reject_all: share(totals.reject_all, totals.answered),
      gpc: count(totals.gpc),
      ...Object.fromEntries(settings.categories.map(({ id }) => [id, percent(totals.opt_in_rate[id])])),
    };
    for (const element of document.querySelectorAll('[data-total]')) {
      element.textContent = values[element.dataset.total];
    }
  }

  function offerSites(bySite, chosen) {
    const select = fields.site;
    const sites = bySite.rows.map((row) => row.site).filter(Boolean);
    if (chosen && !sites.includes(chosen)) sites.push(chosen);
    const options = sites.sort().map((site) => new Option(site, site, false, site === chosen));
    select.replaceChildren(new Option('All sites', ''), ...options);
  }

  async function refresh() {
    const chosen = filters();
    const problem = rangeProblem(chosen.from, chosen.to, settings.maxDays);
    if (problem) {
      say(problem, true);
      return;
    }
    updateDownloads(chosen);
    say('Loading…');
    root.setAttribute('aria-busy', 'true');
    // loading -> ready | error: tests and monitoring wait on this instead of guessing.
    document.documentElement.dataset.state = 'loading';
    try {
      // One request, so one access-log entry per refresh (the sites come unfiltered).
      const { day: byDay, region: byRegion, site: bySite } = await getJson(settings.overviewUrl, chosen);
      state.report = { byDay, byRegion, bySite };
      showTotals(byDay.totals);
      showTrend(state.charts.trend, byDay, settings.categories);
      showRegions(state.charts.regions, byRegion, settings.regionNames, settings.categories);
      showMix(state.charts.mix, byDay.totals);
      showRegionTable(byId('region-table'), byRegion, settings.regionNames, settings.categories);
      offerSites(bySite, chosen.site);
      if (settings.mayAudit) {
        showAccessLog(byId('access-log'), (await getJson(settings.accessLogUrl, { limit: 20 })).entries);
      }
      say(`${count(byDay.totals.answered)} answers from ${chosen.from} to ${chosen.to} (UTC days).`);
      state.ready = true;
      document.documentElement.dataset.state = 'ready';
    } catch (error) {
      const details = Object.entries(error.fields || {}).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
      say([error.message, ...details].join(' '), true);
      document.documentElement.dataset.state = 'error';
    } finally {
      root.removeAttribute('aria-busy');
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    refresh();
  });
  for (const button of form.querySelectorAll('[data-days]')) {
    button.addEventListener('click', () => {
      fields.to.value = settings.today;
      fields.from.value = addDays(settings.today, -(Number(button.dataset.days) - 1));
      refresh();
    });
  }
  byId('download-group').addEventListener('change', () => updateDownloads(filters()));
  refresh();
}

const root = byId('dashboard');
if (root) boot(root);
