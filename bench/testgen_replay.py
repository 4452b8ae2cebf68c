#!/usr/bin/env python3
"""Per test kind precision and recall of `dataops tests` on replayed pull requests: real commits
that changed a model and documented new columns of it, replayed without the engineer's property
file edits; the tests the tool proposes for those columns are scored against the ones the
engineer wrote.

The commits, the replay and the scoring are the evaluation harness's own (its `replay --mode
tests` runs unchanged, at the tool's default threshold); this script only keeps each run's
suggestions so that they can be counted per kind. CPU time is the user+sys time of the dataops
runs.

  bench/testgen_replay.py --eval EVAL_SCRIPT --bin BIN --git-dir REPO/.git [--subdir SUB] [--limit 10]
"""
import argparse, collections, contextlib, importlib.util, io, os, resource

KINDS = ("not_null", "unique", "accepted_values", "relationships")


def load_eval(path):
    spec = importlib.util.spec_from_file_location("dbt_eval", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", required=True)
    ap.add_argument("--bin", required=True)
    ap.add_argument("--git-dir", required=True)
    ap.add_argument("--subdir", default=".")
    ap.add_argument("--limit", type=int, default=10)
    a = ap.parse_args()
    ev = load_eval(a.eval)
    recs, outs = [], []
    wall = cpu = 0.0
    orig_run, orig_mine = ev.run, ev.mine

    def mine(*args):
        recs.extend(orig_mine(*args))
        return list(recs)

    def run(b, args, cwd=None, timeout=900):
        nonlocal wall, cpu
        r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
        p, dt = orig_run(b, args, cwd, timeout)
        r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall += dt
        cpu += (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
        if args and args[0] == "tests":
            outs.append(p.stdout)
        return p, dt

    ev.run, ev.mine = run, mine
    line = io.StringIO()
    try:
        with contextlib.redirect_stdout(line):
            ev.cmd_replay(argparse.Namespace(bin=os.path.abspath(a.bin), git_dir=a.git_dir, subdir=a.subdir, limit=a.limit, mode="tests"))
    finally:
        ev.run, ev.mine = orig_run, orig_mine
    counts = collections.defaultdict(lambda: [0, 0, 0])
    for rec, out in zip(recs, outs):
        scope = {(m, c) for m, cs in rec["models"].items() for c in cs}
        got = set()
        for s in ev.load_json(out).get("suggestions", []) if out.strip() else []:
            x = (str(s.get("model", "")).split(".")[-1], str(s.get("column", "")).lower(), str(s.get("test", "")).split(".")[-1])
            if s.get("column") and s.get("status") != "failed" and (x[0], x[1]) in scope:
                got.add(x)
        want = {(m, c, t) for m, cs in rec["tests"].items() for c, ts in cs.items() for t in ts}
        for k in KINDS + ("all",):
            g = {x for x in got if k == "all" or x[2] == k}
            w = {x for x in want if k == "all" or x[2] == k}
            counts[k][0] += len(g & w); counts[k][1] += len(g - w); counts[k][2] += len(w - g)
    print(line.getvalue().strip())
    print(f"  dataops wall {wall:.1f}s, cpu {cpu:.1f}s over {len(outs)} runs")
    for k in KINDS + ("all",):
        tp, fp, fn = counts[k]
        P = tp / (tp + fp) if tp + fp else 1.0
        R = tp / (tp + fn) if tp + fn else 1.0
        print(f"  {k:16s} P={P:.2f} R={R:.2f}  (tp {tp} fp {fp} fn {fn})")


if __name__ == "__main__":
    main()
