#!/usr/bin/env python3
"""Per test kind precision and recall of `dataops tests` on held-out models, pooled over seeds,
and the confidence threshold each kind needs for precision >= a target.

The held-out split and the stripping of the held-out models' tests are the evaluation harness's
own (its `tests` subcommand runs unchanged; only the binary is asked for every suggestion down to
a low threshold so that one run can be scored at every threshold). Suggestions that failed on
data are left out, as the harness does.

  bench/testgen_kinds.py --eval EVAL_SCRIPT --bin BIN --project P [--project P ...]
      [--seeds 11,3,5] [--threshold 0.5] [--target 0.8] [--explain KIND]

Prints, per project and pooled: TP/FP/FN, P and R per kind at --threshold, then per kind the
lowest threshold whose pooled precision reaches --target, with the recall it keeps. CPU time
(user+sys of the dataops runs) is printed beside wall time.
"""
import argparse, contextlib, importlib.util, io, json, os, random, resource, sys

KINDS = ("not_null", "unique", "accepted_values", "relationships")
LOW = 0.05
GRID = [round(0.05 * i, 2) for i in range(1, 20)]


def load_eval(path):
    spec = importlib.util.spec_from_file_location("dbt_eval", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def held_out(ev, project, seed, frac):
    """The harness's split: same documented tests, same shuffle."""
    docs = ev.documented(project)
    tested = sorted(m for m, cs in docs.items() if any(cs.values()))
    random.Random(seed).shuffle(tested)
    held = set(tested[: max(1, int(frac * len(tested)))])
    truth = {(m, c, t) for m in held for c, ts in docs[m].items() for t in ts}
    return held, truth


def one_run(ev, bin_, project, seed, frac):
    """Runs the harness's tests subcommand with the binary asked for low-confidence suggestions
    too; returns {(model, column, kind): confidence}, the truth, wall and CPU seconds."""
    captured = {}
    orig = ev.run

    def run(b, args, cwd=None, timeout=900):
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p, dt = orig(b, args + ["--threshold", str(LOW)], cwd, timeout)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        captured["out"], captured["wall"] = p.stdout, dt
        captured["cpu"] = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if p.returncode not in (0, 1):
            sys.stderr.write(p.stderr[-2000:])
        return p, dt

    ev.run = run
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            ev.cmd_tests(argparse.Namespace(bin=bin_, project=project, seed=seed, frac=frac))
    finally:
        ev.run = orig
    held, truth = held_out(ev, project, seed, frac)
    pred, why = {}, {}
    for s in ev.load_json(captured["out"]).get("suggestions", []):
        m, t = str(s.get("model", "")).split(".")[-1], str(s.get("test", "")).split(".")[-1]
        if m in held and t in KINDS and s.get("column") and s.get("status") != "failed":
            key = (m, str(s["column"]).lower(), t)
            pred[key] = max(pred.get(key, 0), float(s.get("confidence", 0)))
            why[key] = s.get("reasons") or []
    return pred, truth, captured["wall"], captured["cpu"], why


def score(pred, truth, kind, thr):
    tt = {x for x in truth if x[2] == kind}
    pp = {x for x, c in pred.items() if x[2] == kind and c >= thr}
    return len(pp & tt), len(pp - tt), len(tt - pp)


def pr(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return p, r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--project", action="append", required=True)
    ap.add_argument("--seeds", default="11,3,5")
    ap.add_argument("--frac", type=float, default=0.3)
    ap.add_argument("--threshold", type=float, default=0.5)
    ap.add_argument("--target", type=float, default=0.8)
    ap.add_argument("--explain", default="", help="list this kind's misses and false positives")
    ap.add_argument("--dump", default="", help="write every scored suggestion (with its reasons and whether the team wrote it), and every written test never proposed (confidence 0), as JSON lines")
    ap.add_argument("--lopo", action="store_true", help="leave one project out: each project scored at the threshold fitted on the others")
    a = ap.parse_args()
    ev = load_eval(a.eval)
    bin_ = os.path.abspath(a.bin)
    seeds = [int(s) for s in a.seeds.split(",")]
    runs = []  # (project, pred, truth)
    dump = open(a.dump, "w") if a.dump else None
    for proj in a.project:
        wall = cpu = 0.0
        for seed in seeds:
            pred, truth, w, c, why = one_run(ev, bin_, proj, seed, a.frac)
            wall += w; cpu += c
            runs.append((proj, seed, pred, truth))
            for x, conf in sorted(pred.items()) if dump else ():
                dump.write(json.dumps({"project": proj, "seed": seed, "model": x[0], "column": x[1], "test": x[2],
                                       "confidence": conf, "written": x in truth, "reasons": why[x]}) + "\n")
            for x in sorted(truth - pred.keys()) if dump else ():
                # A test the team wrote that was not proposed even at the lowest confidence.
                dump.write(json.dumps({"project": proj, "seed": seed, "model": x[0], "column": x[1], "test": x[2],
                                       "confidence": 0, "written": True, "reasons": []}) + "\n")
        print(f"== {proj} ({len(seeds)} seeds; dataops wall {wall:.1f}s, cpu {cpu:.1f}s)")
        report([(p, t) for pj, _, p, t in runs if pj == proj], a.threshold)
    print(f"== pooled over {len(a.project)} project(s) x {len(seeds)} seed(s)")
    pooled = [(p, t) for _, _, p, t in runs]
    report(pooled, a.threshold)
    print(f"-- lowest threshold with pooled precision >= {a.target}")
    for k in KINDS:
        best = None
        for thr in GRID:
            tp = fp = fn = 0
            for p, t in pooled:
                x, y, z = score(p, t, k, thr)
                tp += x; fp += y; fn += z
            P, R = pr(tp, fp, fn)
            if tp + fp and P >= a.target:
                best = (thr, P, R, tp, fp, fn)
                break
        print(f"  {k}: " + (f"threshold {best[0]:.2f}: P={best[1]:.2f} R={best[2]:.2f} (tp {best[3]} fp {best[4]} fn {best[5]})" if best else "none"))
    if a.lopo:
        lopo(runs, a.target)
    if a.explain:
        for proj, seed, p, t in runs:
            for x in sorted({x for x in t if x[2] == a.explain} - {x for x, c in p.items() if c >= a.threshold}):
                print(f"  miss {os.path.basename(proj.rstrip('/'))} s{seed} {x[0]}.{x[1]}" + (f" (conf {p[x]:.2f})" if x in p else ""))
            for x, c in sorted(p.items()):
                if x[2] == a.explain and c >= a.threshold and x not in t:
                    print(f"  fp   {os.path.basename(proj.rstrip('/'))} s{seed} {x[0]}.{x[1]} (conf {c:.2f})")


def lowest(runs, kind, target):
    """The lowest grid threshold whose pooled precision reaches target, or None."""
    for thr in GRID:
        tp = fp = 0
        for p, t in runs:
            x, y, _ = score(p, t, kind, thr)
            tp += x; fp += y
        if tp + fp and tp / (tp + fp) >= target:
            return thr
    return None


def lopo(runs, target):
    """Each project is scored at the threshold fitted on the other projects: an estimate of
    the precision and recall on a project the threshold never saw."""
    projects = sorted({pj for pj, _, _, _ in runs})
    print(f"-- leave one project out (threshold fitted on the others, precision target {target})")
    for k in KINDS:
        tp = fp = fn = 0
        used = []
        for pj in projects:
            others = [(p, t) for q, _, p, t in runs if q != pj]
            thr = lowest(others, k, target)
            if thr is None:
                thr = 1.01
            used.append(thr)
            for q, _, p, t in runs:
                if q == pj:
                    x, y, z = score(p, t, k, thr)
                    tp += x; fp += y; fn += z
        P, R = pr(tp, fp, fn)
        print(f"  {k}: P={P:.2f} R={R:.2f} (tp {tp} fp {fp} fn {fn}); thresholds {min(used):.2f}-{max(used):.2f}")


def report(runs, thr):
    tot = [0, 0, 0]
    for k in KINDS:
        tp = fp = fn = 0
        for p, t in runs:
            x, y, z = score(p, t, k, thr)
            tp += x; fp += y; fn += z
        tot[0] += tp; tot[1] += fp; tot[2] += fn
        P, R = pr(tp, fp, fn)
        print(f"  {k:16s} P={P:.2f} R={R:.2f}  (tp {tp} fp {fp} fn {fn})")
    P, R = pr(*tot)
    f = 2 * P * R / (P + R) if P + R else 0
    print(f"  {'all':16s} P={P:.2f} R={R:.2f} F1={f:.2f}")


if __name__ == "__main__":
    main()
