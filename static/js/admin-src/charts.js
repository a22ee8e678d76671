// The three charts, drawn with chart.js (bundled, tree-shaken: only what is used).

import {
  ArcElement, BarController, BarElement, CategoryScale, Chart, DoughnutController, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip,
} from 'chart.js';
import { CATEGORIES, CATEGORY_LABELS, METHODS, METHOD_LABELS, count } from './format.js';

Chart.register(ArcElement, BarController, BarElement, CategoryScale, DoughnutController, Legend,
  LinearScale, LineController, LineElement, PointElement, Tooltip);

function palette() {
  // Colours come from the stylesheet (light and dark themes), not from code.
  const style = getComputedStyle(document.documentElement);
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    text: read('--text'),
    grid: read('--grid'),
    categories: CATEGORIES.map((c) => read(`--c-${c}`)),
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

export function createCharts(canvases) {
  const colors = palette();
  const base = baseOptions(colors);
  const categoryDatasets = (type) => CATEGORIES.map((category, i) => ({
    label: CATEGORY_LABELS[category],
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

export function showTrend(chart, byDay) {
  chart.data.labels = byDay.rows.map((row) => row.day);
  CATEGORIES.forEach((category, i) => {
    chart.data.datasets[i].data = byDay.rows.map((row) => asPercent(row.opt_in_rate[category]));
  });
  chart.update();
}

export function showRegions(chart, byRegion, regionNames) {
  const rows = [...byRegion.rows].sort((a, b) => b.answered - a.answered);
  // Codes on the axis (short), full names in the tooltip and in the table below.
  chart.data.labels = rows.map((row) => row.region);
  chart.$regionNames = rows.map((row) => regionNames[row.region] || row.region);
  CATEGORIES.forEach((category, i) => {
    chart.data.datasets[i].data = rows.map((row) => asPercent(row.opt_in_rate[category]));
  });
  chart.update();
}

export function showMix(chart, totals) {
  chart.data.datasets[0].data = METHODS.map((method) => totals[method] || 0);
  chart.update();
}
