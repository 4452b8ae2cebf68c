"""One line of bench/review-trust.sh: counts of a review's findings, its phantom models and its
unsafe safe edits.

A phantom model is one the review reports as changed while the pull request changed neither its
.sql file, nor its entry in any property file, nor a project-level file. Entries are compared
as parsed YAML, so a file edited elsewhere does not make its other entries changed.

An unsafe safe edit is an edit marked safe (what --fix writes) that adds a generic test the
review did not confirm on data.

    review_trust.py NAME REPO SUBDIR BASE REVIEW_JSON WALL USER SYS
"""

import json
import re
import subprocess
import sys

import yaml


def git(repo, *args):
    return subprocess.run(["git", "-C", repo, *args], capture_output=True, text=True, check=False).stdout


def entries(text):
    """Model entries of a property file: name -> parsed entry."""
    try:
        doc = yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return None
    out = {}
    for e in (doc.get("models") or []) if isinstance(doc, dict) else []:
        if isinstance(e, dict) and "name" in e:
            out[str(e["name"])] = e
    return out


def main():
    name, repo, sub, base, path, wall, user, sys_ = sys.argv[1:9]
    prefix = "" if sub in (".", "") else sub.rstrip("/") + "/"
    with open(path) as f:
        try:
            review = json.load(f)
        except json.JSONDecodeError:
            print(f"{name:22s} review failed: see {path[:-5]}.err")
            return
    changed = [l for l in git(repo, "diff", "--name-only", base, "HEAD", "--", sub).splitlines() if l]
    rel = {c[len(prefix):] if c.startswith(prefix) else c for c in changed}
    project_level = any(r in ("dbt_project.yml", "packages.yml", "dependencies.yml") for r in rel)
    yml = [c for c in changed if c.endswith((".yml", ".yaml"))]
    touched_entries = set()
    for f in yml:
        old = entries(git(repo, "show", f"{base}:{f}")) or {}
        new = entries(git(repo, "show", f"HEAD:{f}")) or {}
        for m in set(old) | set(new):
            if old.get(m) != new.get(m):
                touched_entries.add(m)
    phantom = []
    for c in review["changes"]:
        if c["change"] != "modified" or project_level:
            continue
        if c["path"] in rel or c["name"] in touched_entries:
            continue
        phantom.append(c["name"])
    confirmed = {f["message"] for f in review["findings"] if "confirmed on data" in f["message"]}
    unsafe = 0
    for e in review["edits"]:
        if not e["safe"] or "tests" not in e["agents"]:
            continue
        added = [l for l in e["diff"].splitlines() if l.startswith("+") and not l.startswith("+++")]
        tests = [l for l in added if re.search(r"^\+\s*- (not_null|unique|accepted_values|relationships|dbt_utils\.)", l)]
        unsafe += max(0, len(tests) - len(confirmed))
    by_agent = {}
    for f in review["findings"]:
        by_agent[f["agent"]] = by_agent.get(f["agent"], 0) + 1
    cpu = float(user) + float(sys_)
    print(f"{name:22s} {len(review['changes']):6d} {len(review['findings']):6d} {by_agent.get('schema', 0):6d} "
          f"{by_agent.get('tests', 0):6d} {by_agent.get('impact', 0):6d} {len(phantom):7d} {unsafe:7d} {float(wall):5.1f}/{cpu:.1f}s"
          + (f"  phantom: {', '.join(phantom)}" if phantom else ""))


main()
