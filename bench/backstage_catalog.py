"""Deterministic synthetic Backstage catalog: the workload of the import and catalog benchmarks.

The same generator produced the catalog on which a real Backstage catalog backend
(@backstage/plugin-catalog-backend 4.0.5, Node 20, 2 cores) was measured; those
reference figures are quoted in the benchmarks that compare with it.
``--n 10000 --seed 42`` gives 10,000 components + 30 websites, 14,975 APIs, 50
groups, 20 domains, 20 systems: 25,095 entities, 11 MB.

Usage: python -m bench.backstage_catalog [--n 10000] [--seed 42] [--out catalog.yaml]
Writes multi-document YAML (backstage.io/v1alpha1) and a sidecar <out>.meta.json with hubs,
entity counts and the ground-truth transitive dependents (dependencyOf closure) of each hub.
"""
import argparse
import json
import random

import yaml

W = ("payments billing ledger search catalog inventory orders shipping auth identity notification "
     "email sms analytics metrics logging tracing gateway cart checkout pricing recommendation "
     "profile account fraud risk reporting export ingest sync cache queue scheduler media image "
     "video upload storage document config feature audit compliance tax invoice refund subscription "
     "loyalty review rating geo maps routing fleet warehouse supplier contract quote forecast "
     "budget payroll hiring onboarding ticket support chat voice session token consent privacy "
     "vault secrets deploy build release backup archive").split()
SUFFIX = "service worker processor adapter store engine manager proxy connector job".split()
TEAMS = [f"team-{w}" for w in W[:50]]
LIFECYCLES = ["production"] * 6 + ["experimental"] * 3 + ["deprecated"]
N_HUBS = 12


def doc(kind, name, spec, description, title=None, tags=None):
    md = {"name": name, "description": description}
    if title:
        md["title"] = title
    if tags:
        md["tags"] = tags
    return {"apiVersion": "backstage.io/v1alpha1", "kind": kind, "metadata": md, "spec": spec}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default="catalog.yaml")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    docs = []
    for t in TEAMS:
        docs.append(doc("Group", t, {"type": "team", "profile": {"displayName": t.replace("-", " ").title()},
                                      "children": []}, f"The {t[5:]} team."))
    domains = [f"{w}-domain" for w in W[50:70]]
    systems = [f"{w}-platform" for w in W[50:70]]
    for i, d in enumerate(domains):
        docs.append(doc("Domain", d, {"owner": TEAMS[i]}, f"Business domain {d}."))
        docs.append(doc("System", systems[i], {"owner": TEAMS[i], "domain": d}, f"System {systems[i]} of {d}."))
    names, apis, depends = [], [], []
    for i in range(a.n):
        w1, w2 = rnd.sample(W, 2)
        names.append(f"{w1}-{w2}-{rnd.choice(SUFFIX)}-{i:05d}")
    hubs = list(range(N_HUBS))  # low indices; ~30% of dependsOn edges point to one of them
    for i in range(a.n):
        name = names[i]
        n_api = 1 + (rnd.random() < 0.5)
        my_apis = [f"{name}-api"] + ([f"{name}-events"] if n_api == 2 else [])
        apis.append(my_apis)
        deps, cons = set(), set()
        if i > 0:
            n_edges = rnd.randint(3, 7)
            for _ in range(n_edges):
                if rnd.random() < 0.5:  # dependsOn a component
                    if i > N_HUBS and rnd.random() < 0.3:
                        j = rnd.choice(hubs)
                    else:  # mostly local: a lower-indexed neighbour
                        j = max(0, i - 1 - int(rnd.expovariate(1 / 200)))
                    deps.add(j)
                else:  # consumes an API of a lower-indexed component
                    j = rnd.randrange(i)
                    cons.add(rnd.choice(apis[j]))
        depends.append(sorted(deps))
        w = name.split("-")
        spec = {"type": "service" if rnd.random() < 0.8 else "library", "lifecycle": rnd.choice(LIFECYCLES),
                "owner": TEAMS[rnd.randrange(50)], "system": systems[i % 20], "providesApis": my_apis}
        if deps:
            spec["dependsOn"] = [f"component:{names[j]}" for j in sorted(deps)]
        if cons:
            spec["consumesApis"] = sorted(cons)
        desc = (f"The {w[0]} {w[1]} {w[2]} handles {rnd.choice(W)} and {rnd.choice(W)} "
                f"for the {systems[i % 20]} system.")
        docs.append(doc("Component", name, spec, desc, title=f"{w[0].title()} {w[1].title()} {w[2].title()}",
                        tags=sorted({w[0], rnd.choice(W)})))
        for k, api in enumerate(my_apis):
            docs.append(doc("API", api, {"type": "openapi" if k == 0 else "asyncapi",
                                         "lifecycle": spec["lifecycle"], "owner": spec["owner"],
                                         "system": spec["system"], "definition": f"# {api}\n"},
                            f"{'HTTP' if k == 0 else 'Event'} API of {name}."))
    for s in range(30):  # website frontends on top
        name = f"{W[(s * 7) % len(W)]}-portal-website-{s:02d}"
        tgt = rnd.sample(range(a.n), 8)
        spec = {"type": "website", "lifecycle": "production", "owner": TEAMS[s % 50], "system": systems[s % 20],
                "dependsOn": [f"component:{names[j]}" for j in sorted(tgt[:3])],
                "consumesApis": sorted({apis[j][0] for j in tgt[3:]})}
        docs.append(doc("Component", name, spec, f"Customer facing {name.split('-')[0]} portal website."))
        names.append(name)
        depends.append(sorted(tgt[:3]))
    with open(a.out, "w") as f:
        yaml.safe_dump_all(docs, f, sort_keys=False, width=1000)
    # ground truth: transitive dependents of each hub (reverse dependsOn closure)
    rev = [[] for _ in names]
    for i, ds in enumerate(depends):
        for j in ds:
            rev[j].append(i)
    meta = {"n": a.n, "seed": a.seed, "components": len(names),
            "entities": len(docs), "kinds": {}, "hubs": {}}
    for d in docs:
        meta["kinds"][d["kind"]] = meta["kinds"].get(d["kind"], 0) + 1
    extra = [max(range(int(q * a.n), int(q * a.n) + 100), key=lambda i: len(rev[i])) for q in (0.5, 0.9, 0.98)]
    for h in hubs[:3] + extra:
        seen, stack = set(), [h]
        while stack:
            for c in rev[stack.pop()]:
                if c not in seen:
                    seen.add(c)
                    stack.append(c)
        meta["hubs"][names[h]] = {"direct": len(rev[h]), "transitive": len(seen)}
    with open(a.out + ".meta.json", "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps({k: meta[k] for k in ("components", "entities", "kinds")}))


if __name__ == "__main__":
    main()
