#!/usr/bin/env python3
"""Agreement of `dataops lint` with SQLFluff, rule by rule, and the speed ratio.

  lint_agree.py --bin ./dataops --dir D --sqlfluff-json D.json [--rule LT01] [--show 20]
  lint_agree.py --bin ./dataops --dir D --project P --dialect snowflake [--files 100] [--glob G]

With --project, D is (re)made the way dbt_eval.py makes it: the first --files models copied flat,
with a .sqlfluff naming the dialect, the jinja templater with dbt builtins and the project's
macros; then Debian's sqlfluff is run once over D (its report and time are kept in D.json and
D.time, so later runs only re-run dataops).

D holds the .sql files and the .sqlfluff that SQLFluff was run with (see lint.sh, which prepares
D the way dbt_eval.py does and saves SQLFluff's report once, since SQLFluff takes minutes). Files
SQLFluff could not template or parse (TMP/PRS) are left out, as dbt_eval.py does; findings are
compared as (file, line, code) with SQLFluff 1.x legacy codes mapped to today's. With --rule,
prints the disagreeing lines for that rule.
"""
import argparse, glob, json, os, shutil, subprocess, sys, time

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


def prepare(a):
    out = os.path.abspath(a.dir)
    report, timing = out + ".json", out + ".time"
    if os.path.exists(report) and os.path.exists(timing):
        return report, float(open(timing).read())
    files = sorted(glob.glob(os.path.join(a.project, a.glob), recursive=True))[: a.files]
    if os.path.isdir(out):
        shutil.rmtree(out)
    os.makedirs(out)
    for i, f in enumerate(files):
        shutil.copy(f, os.path.join(out, f"m_{i:04d}.sql"))
    macros = os.path.join(os.path.abspath(a.project), "macros")
    open(os.path.join(out, ".sqlfluff"), "w").write(
        f"[sqlfluff]\ndialect = {a.dialect}\ntemplater = jinja\nlarge_file_skip_byte_limit = 0\n\n"
        # Written where SQLFluff 1.4.5 and 2.0+ (and dataops) read them alike: 1.4.5 reads
        # max_line_length only here (2.0+ moves it to [sqlfluff]), and AL07 is on in 1.4.5 but
        # off by default since 2.0 unless force_enable is set.
        f"[sqlfluff:rules]\nmax_line_length = 100\n\n[sqlfluff:rules:L031]\nforce_enable = True\n\n"
        f"[sqlfluff:templater:jinja]\napply_dbt_builtins = True\n"
        + (f"load_macros_from_path = {macros}\n" if os.path.isdir(macros) else ""))
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/python3", "-m", "sqlfluff", "lint", "--format", "json", "--processes", "1", "."],
                       cwd=out, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if "[" not in p.stdout:
        sys.exit(f"sqlfluff gave no JSON (exit {p.returncode}): {p.stderr[-400:]}")
    open(report, "w").write(p.stdout)
    open(timing, "w").write(str(took))
    return report, took


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--sqlfluff-json")
    ap.add_argument("--project")
    ap.add_argument("--dialect", default="ansi")
    ap.add_argument("--files", type=int, default=100)
    ap.add_argument("--glob", default="models/**/*.sql", help="model files, relative to --project")
    ap.add_argument("--rule")
    ap.add_argument("--show", type=int, default=30)
    a = ap.parse_args()
    sf_time = None
    if a.project:
        a.sqlfluff_json, sf_time = prepare(a)
    if not a.sqlfluff_json:
        sys.exit("need --sqlfluff-json or --project")
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
    speed = f"; sqlfluff {sf_time:.1f}s, {sf_time / dt:.0f}x" if sf_time else ""
    print(f"files={len(files) - len(bad & set(files))} (excluded {len(bad)}) F1={F:.3f} P={P:.3f} R={R:.3f} (LT02 apart) dataops {dt:.2f}s{speed}")
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
