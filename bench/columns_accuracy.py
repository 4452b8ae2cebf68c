#!/usr/bin/env python3
"""Per-model accuracy of `dataops columns` on a real dbt project.

Compares the inferred column names of every model with dbt's catalog.json (when --catalog is
given) or with the columns documented in the project's property files, the way
shared eval's `columns` subcommand does, but per model: it prints the totals, the share of
models that rendered and parsed without error, the reasons models stay unresolved, and the
models with the most missing or extra columns, so the biggest misses can be looked at.

  bench/columns_accuracy.py --bin ./dataops --project P [--catalog P/catalog.json --package stripe]
                            [--worst 20] [--json out.json]
Needs python3 with PyYAML for the documented-columns mode.
"""
import argparse, collections, glob, json, os, re, subprocess, sys, time


def documented(proj, models_dir="models"):
    import yaml
    out = {}
    for ext in ("yml", "yaml"):
        for f in glob.glob(os.path.join(proj, models_dir, "**", f"*.{ext}"), recursive=True):
            try:
                d = yaml.safe_load(open(f))
            except Exception:
                continue
            for m in (d.get("models") or []) if isinstance(d, dict) else []:
                if isinstance(m, dict) and m.get("name") and not m.get("versions"):
                    cols = {str(c["name"]).lower() for c in m.get("columns") or []
                            if isinstance(c, dict) and c.get("name")}
                    if cols:
                        out[str(m["name"]).lower()] = cols
    return out


CATEGORIES = [
    ("SQL parse error", "parse error"),
    ("did not render", "Jinja render error"),
    ("renders to no SQL", "empty render (unknown or empty macro)"),
    ("are not known", "star over unknown upstream columns"),
    ("is not a model, seed", "star over a relation outside the project"),
    ("no SELECT", "no SELECT statement"),
    ("could not be read", "unreadable query part"),
    ("python", "python model"),
]


def category(reason):
    for key, label in CATEGORIES:
        if key in reason:
            return label
    return re.sub(r"^[^ ]*:\d+:\d+: |^[^ ]*: ", "", reason)[:80]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--project", required=True)
    ap.add_argument("--catalog")
    ap.add_argument("--package")
    ap.add_argument("--dialect")
    ap.add_argument("--worst", type=int, default=15)
    ap.add_argument("--json")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the dataops process (repeatable)")
    ap.add_argument("--models-dir", default="models", help="where the documented property files are, under the project")
    a = ap.parse_args()
    env = dict(os.environ)
    for kv in a.env:
        k, _, v = kv.partition("=")
        env[k] = v

    args = [a.bin, "columns", "--project", a.project, "--format", "json"]
    if a.dialect:
        args += ["--dialect", a.dialect]
    t0 = time.perf_counter()
    p = subprocess.run(args, capture_output=True, text=True, env=env)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"columns failed (exit {p.returncode}): {p.stderr[-500:]}")
    models = json.loads(p.stdout)["models"]
    models = {uid: m for uid, m in models.items() if uid.startswith("model.")}

    reasons = collections.Counter()
    unresolved = 0
    for uid, m in models.items():
        if m.get("unresolved"):
            unresolved += 1
            kinds = {category(r) for r in m["unresolved"]}
            for k in kinds:
                reasons[k] += 1
    n = len(models)
    parsed = sum(1 for m in models.values() if not any("parse error" in r or "did not render" in r for r in m.get("unresolved", [])))
    print(f"models: {n}  parsed+rendered without error: {parsed}/{n} ({parsed / max(n, 1):.1%})  "
          f"unresolved: {unresolved}  time: {dt:.2f}s")
    for k, c in reasons.most_common(12):
        print(f"  {c:5d}  {k}")

    if a.catalog:
        cat = json.load(open(a.catalog))
        pre = f"model.{a.package}." if a.package else "model."
        truth = {uid.split(".")[-1].lower(): {c.lower() for c in n["columns"]}
                 for uid, n in cat["nodes"].items() if uid.startswith(pre)}
        label = "catalog"
    else:
        truth = documented(a.project, a.models_dir)
        label = "documented"
    ours = {uid.split(".")[-1].lower(): (m, {c["name"].lower() for c in m.get("columns", [])})
            for uid, m in models.items()}
    tp = fp = fn = cov = 0
    rows = []
    for name, want in sorted(truth.items()):
        if name not in ours:
            continue
        m, got = ours[name]
        if m.get("unresolved"):
            continue
        cov += 1
        t, f_p, f_n = len(want & got), len(got - want), len(want - got)
        tp += t; fp += f_p; fn += f_n
        if f_p or f_n:
            rows.append((f_p + f_n, name, sorted(got - want)[:8], sorted(want - got)[:8]))
    P = tp / (tp + fp) if tp + fp else 1.0
    R = tp / (tp + fn) if tp + fn else 1.0
    print(f"vs {label}: P={P:.3f} R={R:.3f} covered {cov}/{len(truth)} models")
    rows.sort(reverse=True)
    for score, name, extra, missing in rows[:a.worst]:
        print(f"  {name}: extra {extra} missing {missing}")
    if a.json:
        json.dump({"models": n, "parsed": parsed, "unresolved": unresolved, "precision": P, "recall": R,
                   "covered": cov, "truth": len(truth), "seconds": dt, "tp": tp, "fp": fp, "fn": fn,
                   "reasons": reasons.most_common()}, open(a.json, "w"), indent=2)


if __name__ == "__main__":
    main()
