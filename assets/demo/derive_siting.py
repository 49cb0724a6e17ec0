#!/usr/bin/env python3
"""Derive the siting demo inputs (standard library only, deterministic).

Writes, next to this script:
  ottawa_areas.csv       areas.csv format (FORMATS.md)
  ottawa_candidates.csv  candidates.csv format (FORMATS.md)

Sources (copies in ../shared/data/, provenance in its PROVENANCE.md):
  ottawa_neighbourhood_centroids.csv  area-weighted centroids of the Ottawa
      Neighbourhood Study (ONS) Gen3 neighbourhoods (ONS-SQO boundaries).
  ottawa_neighbourhoods_census.csv    ONS Gen3 profile with 2021 Census
      indicators (jaddoescad/ottawaneighbourhoods @ 998be53; ONS-SQO, Statistics
      Canada 2021 Census).
  walmart_locations.csv               Walmart Canada pharmacy vaccine locations
      (Vaccine-Hunters-Canada/pharmacy-importers @ fb305bf; Walmart Canada).
  sobeys_locations.csv                Sobeys-group pharmacy locations
      (Vaccine-Hunters-Canada/pharmacy-importers @ 25e47f9); postal codes only.
  fsa_centroids_K.csv                 centroids of Statistics Canada 2021 forward
      sortation areas (via AntonioCoppe/311-insight-dashboard @ ad14e58).

Choices:
  population = pop2021_total; neighbourhoods with a blank population (six
      non-residential areas) are skipped.
  eligible   = population x share aged 15+ (100 - percent aged 0-14), rounded;
      = population where that share is blank.
  weight     = 2 (hotspot) for ses_quintiles = 5, else 1. Quintile 5 is the
      LOWEST socio-economic status: it has the highest low-income (LIM-AT)
      share and the lowest median household income (checked below).
  candidates = Walmart locations with K postal codes within 50 km of Ottawa City
      Hall (code WM<loc_id>, the demo's own codes, at their own coordinates),
      and Sobeys-group Ontario stores in that radius, one per postal code,
      placed at their FSA centroid (approximate: the FSA is a few km across;
      code SB<postal>). All kind pharmacy, capacity_per_day 150.
  The five Walmart pharmacies the demo opens (demo.rs PHARMACY_LOC_IDS) are
  left out, so this file imports cleanly into the demo database; the loader
  also skips any candidate whose code or coordinates match an existing site.

Usage: python3 derive_siting.py [SHARED_DATA_DIR]   (default ../../../shared/data)
"""

import csv
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "..", "..", "..", "shared", "data")
CITY_HALL = (45.4206, -75.6903)
RADIUS_KM = 50.0
PHARMACY_CAPACITY = 150
DEMO_OPEN_LOC_IDS = {"1082", "1114", "1159", "1161", "1176"}


def read(name):
    with open(os.path.join(DATA, name), newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def km(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * math.asin(min(1.0, math.sqrt(h)))


def mean(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values)


def num(text):
    text = (text or "").strip()
    return float(text) if text else None


def areas():
    census = {r["ons_id"]: r for r in read("ottawa_neighbourhoods_census.csv")}
    # Direction of ses_quintiles: quintile 5 must be the poorest.
    by_q = {}
    for r in census.values():
        if r["ses_quintiles"].strip():
            by_q.setdefault(int(float(r["ses_quintiles"])), []).append(r)
    low_income = {q: mean(num(r["census_general_percent_of_people_in_low_income_based_on_lim_at"]) for r in rs) for q, rs in by_q.items()}
    assert low_income[5] > low_income[1], f"ses_quintiles direction changed: {low_income}"
    rows = []
    for c in read("ottawa_neighbourhood_centroids.csv"):
        r = census[c["id"]]
        population = num(r["pop2021_total"])
        if population is None:
            continue
        population = int(round(population))
        children = num(r["census_general_percent_of_pop_that_are_children_age_0_14"])
        eligible = population if children is None else int(round(population * (100.0 - children) / 100.0))
        quintile = num(r["ses_quintiles"])
        weight = 2 if quintile is not None and int(quintile) == 5 else 1
        rows.append([c["id"], c["name"], c["lat"], c["lon"], population, eligible, weight])
    return rows


def candidates():
    rows = []
    for w in read("walmart_locations.csv"):
        if w["loc_id"] in DEMO_OPEN_LOC_IDS:
            continue
        if not w["postal"].strip().upper().startswith("K") or not w["lat"] or not w["lon"]:
            continue
        lat, lon = float(w["lat"]), float(w["lon"])
        if km(lat, lon, *CITY_HALL) > RADIUS_KM:
            continue
        # "Orleans (Moderna Vaccine - ...)" -> "Orleans", as the demo does.
        place = w["loc_name"].split(" (Moderna")[0].split(" (Pfizer")[0].strip()
        rows.append([f"WM{w['loc_id']}", f"Walmart pharmacy {place}", "pharmacy",
                     f"{w['address'].strip()}, {w['city'].strip()}", w["postal"].strip(),
                     f"{lat:.6f}", f"{lon:.6f}", PHARMACY_CAPACITY])
    fsa = {r["fsa"]: (float(r["lat"]), float(r["lon"])) for r in read("fsa_centroids_K.csv")}
    seen = set()
    with open(os.path.join(DATA, "sobeys_locations.csv"), newline="", encoding="utf-8-sig") as f:
        for r in csv.reader(f):
            if len(r) != 6 or r[3].strip() != "Ontario":
                continue  # the header, other provinces, and the misaligned row
            postal = r[2].replace(" ", "").upper()
            if postal in seen or postal[:3] not in fsa:
                continue
            lat, lon = fsa[postal[:3]]
            if km(lat, lon, *CITY_HALL) > RADIUS_KM:
                continue
            seen.add(postal)
            name = r[1].split(" - ")[0].strip()
            rows.append([f"SB{postal}", f"{name} pharmacy (position: FSA {postal[:3]} centroid)", "pharmacy",
                         f"{r[5].strip()}, {r[4].strip()}", f"{postal[:3]} {postal[3:]}",
                         f"{lat:.6f}", f"{lon:.6f}", PHARMACY_CAPACITY])
    return rows


def write(name, header, rows):
    with open(os.path.join(HERE, name), "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(header)
        out.writerows(rows)
    print(f"{name}: {len(rows)} rows")


if __name__ == "__main__":
    write("ottawa_areas.csv", ["area_id", "name", "lat", "lon", "population", "eligible", "weight"], areas())
    write("ottawa_candidates.csv",
          ["site_code", "name", "kind", "address", "postal_code", "lat", "lon", "capacity_per_day"],
          candidates())
