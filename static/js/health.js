// The program health dashboard's charts. The figures come from the page's
// <script type="application/json" id="health-trends"> (json_script), so no inline
// script is needed; the same figures are in a table under the charts.
(function () {
  "use strict";

  function draw() {
    const source = document.getElementById("health-trends");
    if (!source || typeof window.Chart === "undefined") {
      return;
    }
    const data = JSON.parse(source.textContent);
    const Chart = window.Chart;
    const ink = "#1d2b5e";
    const blue = "#2f4ac0";
    const amber = "#b35c00";
    const green = "#1b7a43";

    const activity = document.getElementById("health-chart-activity");
    if (activity) {
      new Chart(activity, {
        type: "bar",
        data: {
          labels: data.labels,
          datasets: [
            { label: "Meetings held", data: data.held, backgroundColor: blue },
            { label: "New pairs", data: data.new_pairs, backgroundColor: amber },
          ],
        },
        options: {
          responsive: true,
          animation: false,
          scales: { y: { beginAtZero: true, ticks: { precision: 0, color: ink } }, x: { ticks: { color: ink } } },
          plugins: { legend: { labels: { color: ink } } },
        },
      });
    }

    const quality = document.getElementById("health-chart-quality");
    if (quality) {
      new Chart(quality, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: [
            {
              label: "Agendas on time (%)",
              data: data.agenda_pct,
              borderColor: blue,
              backgroundColor: blue,
              yAxisID: "pct",
              spanGaps: true,
            },
            {
              label: "Check-in rating (1-5)",
              data: data.rating,
              borderColor: green,
              backgroundColor: green,
              borderDash: [6, 4],
              yAxisID: "rating",
              spanGaps: true,
            },
          ],
        },
        options: {
          responsive: true,
          animation: false,
          scales: {
            pct: { position: "left", min: 0, max: 100, ticks: { color: ink } },
            rating: { position: "right", min: 1, max: 5, grid: { drawOnChartArea: false }, ticks: { color: ink } },
            x: { ticks: { color: ink } },
          },
          plugins: { legend: { labels: { color: ink } } },
        },
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
