#!/usr/bin/env python3
"""Turns a JMH JSON result file (-rf json) into the Markdown tables of docs/BENCHMARKS.md.

Every figure is the median of the measurement iterations of one benchmark run (JMH's
50th percentile), followed by the lowest and highest iteration in brackets; ratios are
ratios of medians from the same result file. Usage: jmh-report.py results.json
"""
import json
import sys

TARGETS_NOTE = "targets from the project brief; the native provider is how the sidecar runs"


def load(path):
    rows = {}
    for r in json.load(open(path)):
        cls, method = r["benchmark"].rsplit(".", 2)[-2:]
        params = r.get("params", {})
        pm = r["primaryMetric"]
        iters = sorted(x for fork in pm["rawData"] for x in fork)
        key = (cls, method, params.get("alg"), params.get("provider"))
        rows[key] = {
            "median": pm["scorePercentiles"]["50.0"],
            "min": iters[0],
            "max": iters[-1],
            "unit": pm["scoreUnit"],
            "alloc": (r.get("secondaryMetrics", {}).get("·gc.alloc.rate.norm")
                      or r.get("secondaryMetrics", {}).get("gc.alloc.rate.norm")),
        }
    return rows


def fmt(v):
    if v >= 100:
        return f"{v:,.0f}"
    if v >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def cell(rows, key):
    r = rows.get(key)
    if r is None:
        return "–"
    return f"{fmt(r['median'])} ({fmt(r['min'])}–{fmt(r['max'])})"


def med(rows, key):
    r = rows.get(key)
    return None if r is None else r["median"]


def ratio(a, b):
    return "–" if a is None or b is None or b == 0 else f"{a / b:.2f}×"


def in_us(rows, key):
    r = rows.get(key)
    if r is None:
        return None
    return r["median"] / 1000.0 if r["unit"].startswith("ns") else r["median"]


def main(path):
    rows = load(path)
    algs = []
    for (_, _, alg, _) in rows:
        if alg and alg not in algs:
            algs.append(alg)
    order = ["HS256", "RS256", "PS256", "ES256", "EdDSA"]
    algs.sort(key=lambda a: order.index(a) if a in order else 99)

    out = []
    if any(k[0] == "VerifyBenchmark" and k[1] in ("uncached", "cached", "rawSignature") for k in rows):
        out.append("### TokenVerifier.verify (VerifyBenchmark)\n")
        out.append("Median (lowest–highest iteration). Uncached and raw signature in µs/op, cached in ns/op; "
                   "uncached ÷ raw is the ratio of the two medians (target ≤ 1.2×).\n")
        out.append("| alg | uncached, native (µs) | cached, native (ns) | raw signature, native (µs) | uncached ÷ raw "
                   "| uncached, JDK (µs) | JDK ÷ native | cached, JDK (ns) |")
        out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
        for a in algs:
            un = ("VerifyBenchmark", "uncached", a, "native")
            uj = ("VerifyBenchmark", "uncached", a, "jdk")
            rn = ("VerifyBenchmark", "rawSignature", a, "native")
            if un not in rows and uj not in rows:
                continue
            out.append(f"| {a} | {cell(rows, un)} | {cell(rows, ('VerifyBenchmark', 'cached', a, 'native'))} | "
                       f"{cell(rows, rn)} | {ratio(med(rows, un), med(rows, rn))} | "
                       f"{cell(rows, uj)} | {ratio(med(rows, uj), med(rows, un))} | "
                       f"{cell(rows, ('VerifyBenchmark', 'cached', a, 'jdk'))} |")
        out.append("")

    if any(k[0] == "EngineComparisonBenchmark" for k in rows):
        out.append("### Engine comparison (EngineComparisonBenchmark), µs/op\n")
        out.append("Median (lowest–highest iteration); ratios are engine ÷ sidecar (above 1: the sidecar is faster).\n")
        out.append("| alg | provider | sidecar | jjwt | nimbus | jjwt ÷ sidecar | nimbus ÷ sidecar |")
        out.append("|---|---|---:|---:|---:|---:|---:|")
        for a in algs:
            for p in ("native", "jdk"):
                k = lambda m: ("EngineComparisonBenchmark", m, a, p)
                if k("sidecar") not in rows:
                    continue
                s = med(rows, k("sidecar"))
                out.append(f"| {a} | {p} | {cell(rows, k('sidecar'))} | {cell(rows, k('jjwt'))} | "
                           f"{cell(rows, k('nimbus'))} | {ratio(med(rows, k('jjwt')), s)} | "
                           f"{ratio(med(rows, k('nimbus')), s)} |")
        out.append("")

    if any(k[0] == "CachedPathBenchmark" for k in rows):
        out.append("### Cache hit as a request brings it (CachedPathBenchmark), ns/op\n")
        out.append("| alg | substring only | verify, fresh string | verify, fresh string + RocksDB revocation check |")
        out.append("|---|---:|---:|---:|")
        for a in algs:
            k = lambda m: ("CachedPathBenchmark", m, a, None)
            if k("freshString") not in rows:
                continue
            out.append(f"| {a} | {cell(rows, k('substringOnly'))} | {cell(rows, k('freshString'))} | "
                       f"{cell(rows, k('freshStringRevocationStore'))} |")
        out.append("")

    # Targets, from the medians above.
    targets = []
    for a in algs:
        key = ("VerifyBenchmark", "cached", a, "native")
        if key in rows:
            targets.append((f"cached verify {a} (same string), native", in_us(rows, key), 1.0))
    for a in ("HS256", "RS256"):
        for m, what in (("freshString", "fresh string"), ("freshStringRevocationStore", "fresh string + revocation store")):
            key = ("CachedPathBenchmark", m, a, None)
            if key in rows:
                targets.append((f"cached verify {a} ({what})", in_us(rows, key), 1.0))
    for a, limit in (("HS256", 5.0), ("RS256", 60.0), ("ES256", 150.0), ("EdDSA", 150.0)):
        key = ("VerifyBenchmark", "uncached", a, "native")
        if key in rows:
            targets.append((f"uncached {a}, native", in_us(rows, key), limit))
    if targets:
        out.append(f"### Targets ({TARGETS_NOTE})\n")
        out.append("| check | target (µs) | measured median (µs) | verdict |")
        out.append("|---|---:|---:|---|")
        for name, v, limit in targets:
            if v <= limit:
                verdict = f"met ({fmt(limit - v)} µs headroom, {v / limit:.0%} of target)"
            else:
                verdict = f"**missed** by {fmt(v - limit)} µs ({v / limit:.1f}× the target)"
            out.append(f"| {name} | {fmt(limit)} | {fmt(v) if v >= 1 else f'{v:.3f}'} | {verdict} |")
        out.append("")

    overheads = []
    for a in algs:
        un, rn = med(rows, ("VerifyBenchmark", "uncached", a, "native")), med(rows, ("VerifyBenchmark", "rawSignature", a, "native"))
        if un is not None and rn is not None:
            overheads.append((a, un, rn))
    if overheads:
        out.append("### Target: uncached verify ≤ 1.2× the raw signature check (native, same run)\n")
        out.append("| alg | uncached (µs) | raw signature (µs) | uncached ÷ raw | verdict |")
        out.append("|---|---:|---:|---:|---|")
        for a, un, rn in overheads:
            r = un / rn
            verdict = "met" if r <= 1.2 else f"**missed** (the sidecar adds {fmt(un - rn)} µs to the signature check)"
            out.append(f"| {a} | {fmt(un)} | {fmt(rn)} | {r:.2f}× | {verdict} |")
        out.append("")

    paired = [json_row for json_row in json.load(open(path))
              if json_row["benchmark"].endswith("VerifyBenchmark.paired")]
    if paired:
        out.append("### Paired: uncached and raw signature at the same time, one thread each, one fork\n")
        out.append("Medians (lowest–highest iteration), µs/op; the per-iteration ratio divides the two threads' "
                   "figures for the same iteration.\n")
        out.append("| alg | uncached (µs) | raw signature (µs) | ratio of medians | per-iteration ratios, median (range) |")
        out.append("|---|---:|---:|---:|---:|")
        for r in sorted(paired, key=lambda x: order.index(x["params"]["alg"]) if x["params"]["alg"] in order else 99):
            sm = r["secondaryMetrics"]
            u = [x for fork in sm["pairedUncached"]["rawData"] for x in fork]
            w = [x for fork in sm["pairedRaw"]["rawData"] for x in fork]
            per = sorted(a / b for a, b in zip(u, w))
            mu, mw = sorted(u)[len(u) // 2], sorted(w)[len(w) // 2]
            out.append(f"| {r['params']['alg']} | {fmt(mu)} ({fmt(min(u))}–{fmt(max(u))}) | "
                       f"{fmt(mw)} ({fmt(min(w))}–{fmt(max(w))}) | {mu / mw:.2f}× | "
                       f"{per[len(per) // 2]:.2f}× ({per[0]:.2f}–{per[-1]:.2f}) |")
        out.append("")

    if any(r["alloc"] for r in rows.values()):
        out.append("### Allocation per operation (-prof gc, gc.alloc.rate.norm)\n")
        out.append("| benchmark | alg | provider | time (median) | B/op |")
        out.append("|---|---|---|---:|---:|")
        for (cls, m, a, p), r in sorted(rows.items(), key=lambda kv: str(kv[0])):
            if r["alloc"]:
                out.append(f"| {cls}.{m} | {a or ''} | {p or ''} | {fmt(r['median'])} {r['unit']} | "
                           f"{r['alloc']['score']:,.0f} |")
        out.append("")
    print("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1])
