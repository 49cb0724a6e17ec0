"""The daily chart the pandas + matplotlib way, for comparison with
`dosedesk-cli chart daily`: read a CSV file, group by day, draw bars, save
an SVG. (The store itself is encrypted: pandas reads files, as an analyst
would be given them.)

    python3 chart_pandas.py FILE.csv FROM TO OUT.svg raw|kept

raw:  the tallies file as imported (dose_counts.csv: date, site_code,
      shift, dose_number, product, doses), every row grouped by day here;
kept: the per-day totals the store keeps (region_day), exported as a
      `date,doses` file: what DoseDesk's chart reads.

Prints the rows read, the days, the time and the doses in the range.
"""
import sys
import time

start = time.perf_counter()
import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

path, first, last, out, source = sys.argv[1:6]
if source not in ("raw", "kept"):
    sys.exit(f"unknown source {source!r}: raw or kept")
t0 = time.perf_counter()
frame = pd.read_csv(path, usecols=["date", "doses"], dtype={"date": str, "doses": "int64"})
frame = frame[(frame["date"] >= first) & (frame["date"] <= last)]
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
