"""The daily chart the pandas + matplotlib way, for comparison with
`dosedesk-cli chart daily`: read the tallies from the same SQLite file, group
by day, draw bars, save an SVG.

    python3 chart_pandas.py DB FROM TO OUT.svg
"""
import sqlite3
import sys
import time

start = time.perf_counter()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

db, first, last, out = sys.argv[1:5]
conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
t0 = time.perf_counter()
frame = pd.read_sql_query(
    "SELECT date, doses FROM dose_count WHERE date BETWEEN ? AND ?",
    conn,
    params=(first, last),
)
daily = frame.groupby("date")["doses"].sum()
fig, ax = plt.subplots(figsize=(12, 5.6))
ax.bar(pd.to_datetime(daily.index), daily.values, color="#56B4E9")
ax.set_title("Daily doses administered")
ax.yaxis.set_major_formatter(matplotlib.ticker.StrMethodFormatter("{x:,.0f}"))
fig.savefig(out, format="svg")
t1 = time.perf_counter()
print(f"{len(frame)} rows, {len(daily)} days; read+group+draw+save {1e3 * (t1 - t0):.0f} ms")
