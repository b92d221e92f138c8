// Thin wrappers over Chart.js (served from node_modules as /vendor/chart.umd.min.js).

export const COLORS = {
  allowed: "#4f8f6f",
  denied: "#c0564b",
  errored: "#d49a2a",
  denials: ["#c0564b", "#d49a2a", "#8a6fb0", "#b07a5a", "#e07b67", "#7f5a83"],
  series: ["#2f5d8a", "#c0564b", "#d49a2a", "#6a8caf", "#8a6fb0", "#4f8f6f", "#b07a5a", "#7f8c8d"],
};

const live = new Set();

/** Charts of the previous page are destroyed before a page is drawn, so canvases are not leaked. */
export function destroyCharts() {
  for (const chart of live) chart.destroy();
  live.clear();
}

function create(canvas, config) {
  const chart = new window.Chart(canvas, {
    ...config,
    options: {
      responsive: true,
      maintainAspectRatio: false,
      animation: false,
      plugins: { legend: { position: "bottom", labels: { boxWidth: 12, font: { size: 12 } } } },
      ...config.options,
    },
  });
  live.add(chart);
  return chart;
}

export function stackedBars(canvas, labels, datasets) {
  return create(canvas, {
    type: "bar",
    data: { labels, datasets: datasets.map((d) => ({ borderWidth: 0, ...d })) },
    options: {
      scales: {
        x: { stacked: true, grid: { display: false }, ticks: { maxTicksLimit: 12, autoSkip: true } },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } },
      },
    },
  });
}

export function doughnut(canvas, entries) {
  return create(canvas, {
    type: "doughnut",
    data: {
      labels: entries.map((e) => e.value),
      datasets: [{ data: entries.map((e) => e.total), backgroundColor: COLORS.series, borderWidth: 1 }],
    },
    options: { cutout: "60%", plugins: { legend: { position: "right", labels: { boxWidth: 12 } } } },
  });
}
