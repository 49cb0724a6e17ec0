"""The daily chart the pandas + matplotlib way, for comparison with
`dosedesk-cli chart daily`: read from the same SQLite file, group by day if
needed, draw bars, save an SVG.

    python3 chart_pandas.py DB FROM TO OUT.svg raw|kept

raw:  every tally (dose_count rows that count: not withdrawn, not held),
      grouped by day here;
kept: the per-day totals the store keeps (region_day), as DoseDesk's
      chart reads them.

Prints the rows read, the days, the time and the doses in the range.
"""
import sqlite3
import sys
import time

start = time.perf_counter()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

db, first, last, out, source = sys.argv[1:6]
QUERIES = {
    "raw": "SELECT date, doses FROM dose_count WHERE date BETWEEN ? AND ?"
    " AND withdrawn_at IS NULL AND held_at IS NULL",
    "kept": "SELECT date, administered AS doses FROM region_day WHERE date BETWEEN ? AND ?",
}
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
t0 = time.perf_counter()
frame = pd.read_sql_query(QUERIES[source], conn, params=(first, last))
daily = frame.groupby("date")["doses"].sum()
grouped = time.perf_counter()
fig, ax = plt.subplots(figsize=(12, 5.6))
ax.bar(pd.to_datetime(daily.index), daily.values, color="#56B4E9")
ax.set_title("Daily doses administered")
ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
fig.savefig(out, format="svg")
t1 = time.perf_counter()
print(
    f"{source}: {len(frame)} rows, {len(daily)} days; read+group "
    f"{1e3 * (grouped - t0):.0f} ms, draw+save {1e3 * (t1 - grouped):.0f} ms; "
    f"total {int(daily.sum())}"
)
