// The three charts, drawn with chart.js (bundled, tree-shaken: only what is used).

import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { METHODS, METHOD_LABELS, count } from './format.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip);

// Categories without a colour of their own take the next one of the stylesheet's series.
const SERIES = 6;

function palette(categories) {
  // Colours come from the stylesheet (light and dark themes), not from code.
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    text: read('--text'),
    grid: read('--grid'),
    categories: categories.map(({ id }, i) => read(`--c-${id}`) || read(`--c-series-${(i % SERIES) + 1}`)),
    methods: METHODS.map((m) => read(`--m-${m}`)),
  };
}

function baseOptions(colors) {
  const reduced = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  Chart.defaults.color = colors.text;
  Chart.defaults.borderColor = colors.grid;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  return { responsive: true, maintainAspectRatio: false, animation: reduced ? false : { duration: 250 } };
}

const percentAxis = {
  min: 0,
  max: 100,
  ticks: { callback: (value) => `${value} %` },
};

function rateTooltip(context) {
  const value = context.chart.options.indexAxis === 'y' ? context.parsed.x : context.parsed.y;
  return `${context.dataset.label}: ${value === null ? '–' : `${value.toFixed(1)} %`}`;
}

const asPercent = (rate) => (rate === null ? null : Math.round(rate * 1000) / 10);

/** categories: [{id, title}], the catalogue's, in order: one series each. */
export function createCharts(canvases, categories) {
  const colors = palette(categories);
  const base = baseOptions(colors);
  const categoryDatasets = (type) => categories.map(({ title }, i) => ({
    label: title,
    data: [],
    borderColor: colors.categories[i],
    backgroundColor: colors.categories[i],
    ...(type === 'line' ? { tension: 0.25, pointRadius: 0, pointHitRadius: 8, spanGaps: true } : {}),
  }));
  return {
    trend: new Chart(canvases.trend, {
      type: 'line',
      data: { labels: [], datasets: categoryDatasets('line') },
      options: {
        ...base,
        interaction: { mode: 'index', intersect: false },
        scales: { y: percentAxis, x: { ticks: { maxTicksLimit: 8, maxRotation: 0 } } },
        plugins: { tooltip: { callbacks: { label: rateTooltip } } },
      },
    }),
    // Horizontal bars: region labels stay readable on a phone.
    regions: new Chart(canvases.regions, {
      type: 'bar',
      data: { labels: [], datasets: categoryDatasets('bar') },
      options: {
        ...base,
        indexAxis: 'y',
        scales: { x: percentAxis, y: { ticks: { autoSkip: false } } },
        plugins: {
          tooltip: {
            callbacks: {
              title: (items) => (items.length ? items[0].chart.$regionNames[items[0].dataIndex] : ''),
              label: rateTooltip,
            },
          },
        },
      },
    }),
    mix: new Chart(canvases.mix, {
      type: 'doughnut',
      data: {
        labels: METHODS.map((m) => METHOD_LABELS[m]),
        datasets: [{ data: [], backgroundColor: colors.methods, borderWidth: 1 }],
      },
      options: {
        ...base,
        plugins: {
          legend: { position: 'bottom' },
          tooltip: { callbacks: { label: (c) => `${c.label}: ${count(c.parsed)}` } },
        },
      },
    }),
  };
}

// A category the report lacks (data newer than the figures) has no rate: null, not 0 %.
const rate = (row, id) => asPercent(row.opt_in_rate[id] ?? null);

export function showTrend(chart, byDay, categories) {
  chart.data.labels = byDay.rows.map((row) => row.day);
  categories.forEach(({ id }, i) => {
    chart.data.datasets[i].data = byDay.rows.map((row) => rate(row, id));
  });
  chart.update();
}

export function showRegions(chart, byRegion, regionNames, categories) {
  const rows = [...byRegion.rows].sort((a, b) => b.answered - a.answered);
  // Codes on the axis (short), full names in the tooltip and in the table below.
  chart.data.labels = rows.map((row) => row.region);
  chart.$regionNames = rows.map((row) => regionNames[row.region] || row.region);
  categories.forEach(({ id }, i) => {
    chart.data.datasets[i].data = rows.map((row) => rate(row, id));
  });
  chart.update();
}

export function showMix(chart, totals) {
  chart.data.datasets[0].data = METHODS.map((method) => totals[method] || 0);
  chart.update();
}
