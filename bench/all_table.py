"""Prints bench/all's results as one Markdown table, with the goals of issue 16.

Input: a TSV file of lines "engine row rps p50_ms p99_ms errors
bare_rps bare_p99_ms body_bytes", "-" where a figure does not apply.
"""

import sys

ENGINES = [("sqlite", "SQLite"), ("postgres", "PostgreSQL + Redis")]


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def ratio_goal(r, p99_ms=None):
    def check(f, _all):
        if f["ratio"] is None:
            return None
        good = f["ratio"] >= r
        if p99_ms is not None:
            good = good and f["p99"] is not None and f["p99"] < p99_ms
        return good

    return check


def p99_goal(ms, engines=None):
    def check(f, _all):
        if engines and f["engine"] not in engines:
            return None
        return f["p99"] is not None and f["p99"] < ms

    return check


def completion_goal(f, results):
    if f["engine"] != "postgres" or f["rps"] is None:
        return None
    pg = results.get(("postgres", "pgbench, same statements"))
    return f["rps"] >= 2000 or (pg is not None and pg["rps"] and f["rps"] >= 0.5 * pg["rps"])


def at_least(n):
    return lambda f, _all: None if f["rps"] is None else f["rps"] >= n


def memory_goal(f, _all):
    return None if f["rps"] is None else f["rps"] < 150


ROWS = [
    ("lesson page", "≥ 0.10 × bare, p99 < 10 ms", ratio_goal(0.10, 10)),
    ("lesson API", "≥ 0.10 × bare, p99 < 10 ms", ratio_goal(0.10, 10)),
    ("lesson page, 200/s", "p99 < 5 ms on PostgreSQL", p99_goal(5, {"postgres"})),
    ("catalogue API", "≥ 0.30 × bare, p99 < 5 ms", ratio_goal(0.30, 5)),
    ("catalogue page", "≥ 0.30 × bare, p99 < 5 ms", ratio_goal(0.30, 5)),
    ("home page", "≥ 0.30 × bare, p99 < 5 ms", ratio_goal(0.30, 5)),
    ("course page", "≥ 0.30 × bare, p99 < 5 ms", ratio_goal(0.30, 5)),
    ("my learning page", "≥ 0.15 × bare", ratio_goal(0.15)),
    ("my learning API", "≥ 0.15 × bare", ratio_goal(0.15)),
    ("complete a lesson", "PostgreSQL: ≥ 2,000 req/s or ≥ 0.5 × pgbench", completion_goal),
    ("pgbench, same statements", "(the reference of the row above)", None),
    ("search, uncached", "p99 < 10 ms", p99_goal(10)),
    ("memory after the run", "< 150 MB resident", memory_goal),
    ("mails through the queue", "≥ 200 mails/s", at_least(200)),
]


def read(path):
    results = {}
    for line in open(path, encoding="utf-8"):
        cols = line.rstrip("\n").split("\t")
        if len(cols) < 9:
            continue
        engine, row, rps, p50, p99, errors, b_rps, b_p99, size = cols[:9]
        f = {
            "engine": engine,
            "raw": rps,
            "rps": num(rps),
            "p50": num(p50),
            "p99": num(p99),
            "errors": num(errors),
            "bare": num(b_rps),
            "size": size,
        }
        f["ratio"] = f["rps"] / f["bare"] if f["rps"] is not None and f["bare"] else None
        results[(engine, row)] = f
    return results


def cells(row, f):
    if f is None:
        return ["", "", ""]
    if row == "memory after the run":
        return [f"{f['rps']:.0f} MB", f"peak {f['p99']:.0f} MB" if f["p99"] else "", ""]
    if f["rps"] is None:
        return [f["raw"], "", ""]
    unit = " mails/s" if row.startswith("mails") else ""
    rps = f"{f['rps']:,.0f}{unit}"
    if f["errors"]:
        rps += f" ({f['errors']:.0f} errors)"
    p99 = "" if f["p99"] is None else f"{f['p99']:.2f}"
    if row.startswith("pgbench") and f["p99"] is not None:
        p99 = f"avg {f['p99']:.2f}"
    r = ""
    if f["ratio"] is not None:
        r = f"{f['ratio']:.3f}" if f["ratio"] < 0.1 else f"{f['ratio']:.2f}"
    return [rps, p99, r]


def main():
    results = read(sys.argv[1])
    head = ["request"]
    for _, name in ENGINES:
        head += [f"{name} req/s", "p99 ms", "× bare"]
    head += ["goal", "met?"]
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join(["---"] + ["---:"] * 6 + ["---", "---"]) + "|")
    for row, goal, check in ROWS:
        line = [row]
        verdicts = []
        for engine, name in ENGINES:
            f = results.get((engine, row))
            line += cells(row, f)
            if f is not None and check is not None:
                v = check(f, results)
                if v is not None:
                    verdicts.append(f"{name.split()[0]} {'yes' if v else 'NO'}")
        if all(results.get((e, row)) is None for e, _ in ENGINES):
            continue
        print("| " + " | ".join(line + [goal, ", ".join(verdicts)]) + " |")
    line = ["bare handler (same body size, measured before each row)"]
    for engine, _ in ENGINES:
        bare = [f["bare"] for (e, _), f in results.items() if e == engine and f["bare"]]
        line += [f"{min(bare):,.0f}–{max(bare):,.0f}" if bare else "", "", "1"]
    print("| " + " | ".join(line + ["", ""]) + " |")


if __name__ == "__main__":
    main()
