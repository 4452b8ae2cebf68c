#!/usr/bin/env python3
"""Agreement of `dataops lint` with a saved SQLFluff JSON report, rule by rule.

  lint_agree.py --bin ./dataops --dir D --sqlfluff-json D.json [--rule LT01] [--show 20]

D holds the .sql files and the .sqlfluff that SQLFluff was run with (see lint.sh, which prepares
D the way dbt_eval.py does and saves SQLFluff's report once, since SQLFluff takes minutes). Files
SQLFluff could not template or parse (TMP/PRS) are left out, as dbt_eval.py does; findings are
compared as (file, line, code) with SQLFluff 1.x legacy codes mapped to today's. With --rule,
prints the disagreeing lines for that rule.
"""
import argparse, collections, json, os, subprocess, sys, time

LEGACY = {}
here = os.path.dirname(os.path.abspath(__file__))
for cand in (os.path.join(here, "..", "..", "shared", "reference", "sqlfluff-legacy-codes.tsv"),
             "/work/shared/reference/sqlfluff-legacy-codes.tsv"):
    if os.path.exists(cand):
        for line in open(cand).read().splitlines()[1:]:
            a, b = line.split("\t")
            LEGACY[a] = b
        break


def load(text):
    text = text.strip()
    return json.loads(text[text.index("["):]) if "[" in text else []


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--sqlfluff-json", required=True)
    ap.add_argument("--rule")
    ap.add_argument("--show", type=int, default=30)
    a = ap.parse_args()
    truth, bad = set(), set()
    for f in load(open(a.sqlfluff_json).read()):
        name = os.path.basename(f["filepath"])
        for v in f["violations"]:
            if v["code"] in ("TMP", "PRS"):
                bad.add(name)
            else:
                truth.add((name, v.get("line_no") or v.get("start_line_no"), LEGACY.get(v["code"], v["code"]), v.get("description", "")))
    truth = {t for t in truth if t[0] not in bad}
    files = sorted(x for x in os.listdir(a.dir) if x.endswith(".sql"))
    t0 = time.perf_counter()
    p = subprocess.run([os.path.abspath(a.bin), "lint", "--format", "json"] + files, cwd=a.dir, capture_output=True, text=True)
    dt = time.perf_counter() - t0
    ours = set()
    for f in load(p.stdout):
        name = os.path.basename(f["filepath"])
        if name in bad:
            continue
        for v in f["violations"]:
            ours.add((name, v["start_line_no"], v["code"], v["description"]))
    T = {t[:3] for t in truth}
    O = {t[:3] for t in ours}
    rows = []
    for c in sorted({t[2] for t in T | O}):
        tt = {t for t in T if t[2] == c}
        oo = {t for t in O if t[2] == c}
        rows.append((prf(len(tt & oo), len(oo - tt), len(tt - oo))[2], c, len(tt), len(oo), len(tt & oo)))
    for f1, c, n1, n2, tp in sorted(rows):
        print(f"  {c}: F1={f1:.2f} sqlfluff={n1} dataops={n2} both={tp}")
    mt = {t for t in T if t[2] != "LT02"}
    mo = {t for t in O if t[2] != "LT02"}
    P, R, F = prf(len(mt & mo), len(mo - mt), len(mt - mo))
    print(f"files={len(files) - len(bad & set(files))} (excluded {len(bad)}) F1={F:.3f} P={P:.3f} R={R:.3f} (LT02 apart) dataops {dt:.2f}s")
    if a.rule:
        desc_t = {t[:3]: t[3] for t in truth}
        desc_o = {t[:3]: t[3] for t in ours}
        miss = sorted(t for t in T - O if t[2] == a.rule)
        extra = sorted(t for t in O - T if t[2] == a.rule)
        print(f"--- {a.rule}: missed {len(miss)} (sqlfluff only), extra {len(extra)} (dataops only)")
        for t in miss[: a.show]:
            line = open(os.path.join(a.dir, t[0])).read().split("\n")[t[1] - 1]
            print(f"MISS {t[0]}:{t[1]}: {desc_t[t][:70]!r}\n     | {line[:150]}")
        for t in extra[: a.show]:
            line = open(os.path.join(a.dir, t[0])).read().split("\n")[t[1] - 1]
            print(f"EXTRA {t[0]}:{t[1]}: {desc_o[t][:70]!r}\n     | {line[:150]}")


if __name__ == "__main__":
    main()
