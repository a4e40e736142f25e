#!/usr/bin/env python3
"""Notebook-style example: fetch labelled run graphs from the wfad GraphQL API and load them as
PyTorch Geometric `Data` objects (when torch_geometric is installed) without any reshaping.

Plain HTTP (urllib, standard library only); torch / torch_geometric are optional:

    python3 examples/labelled_subgraphs.py                       # all runs, 50 per request
    python3 examples/labelled_subgraphs.py --workflow 1000genome --category cpu --max 200
    python3 examples/labelled_subgraphs.py --url http://127.0.0.1:4000/graphql --key $KEY --json

This is an example client, not part of the platform (which has no Python in it).
"""
import argparse
import json
import sys
import urllib.request

QUERY = """
query($filter: RunFilter, $first: Int!, $after: String) {
  labelledSubgraphs(filter: $filter, first: $first, after: $after) {
    featureNames featureScaling classes
    pageInfo { hasNextPage endCursor }
    nodes { runId workflow label category y yBinary numNodes jobIds nodeY edgeIndex x(fill: 0) }
  }
}"""


def post(url, query, variables, key=None):
    """One GraphQL request: POST application/json (what the API's CSRF prevention expects)."""
    headers = {"content-type": "application/json"}
    if key:
        headers["authorization"] = f"Bearer {key}"
    req = urllib.request.Request(url, data=json.dumps({"query": query, "variables": variables}).encode(), headers=headers)
    try:
        with urllib.request.urlopen(req) as res:
            body = json.load(res)
    except urllib.error.HTTPError as err:  # GraphQL errors come with 4xx codes too
        body = json.load(err)
    if body.get("errors"):
        raise SystemExit("GraphQL error: " + "; ".join(f"[{e.get('extensions', {}).get('code')}] {e['message']}" for e in body["errors"]))
    return body["data"]


def fetch_subgraphs(url, run_filter, max_graphs, page, key=None):
    """Pages through labelledSubgraphs (Relay cursors) until max_graphs or the end."""
    graphs, after, meta = [], None, None
    while len(graphs) < max_graphs:
        first = min(page, max_graphs - len(graphs))
        conn = post(url, QUERY, {"filter": run_filter, "first": first, "after": after}, key)["labelledSubgraphs"]
        meta = {k: conn[k] for k in ("featureNames", "featureScaling", "classes")}
        graphs.extend(conn["nodes"])
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    return graphs, meta


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="http://127.0.0.1:4000/graphql")
    ap.add_argument("--key", help="API key, when the server keys reads (WFAD_API_READ_KEYED=1)")
    ap.add_argument("--workflow")
    ap.add_argument("--category", help="true category: normal, cpu, hdd or loss")
    ap.add_argument("--max", type=int, default=200, help="graphs to fetch")
    ap.add_argument("--page", type=int, default=50, help="graphs per request")
    ap.add_argument("--json", action="store_true", help="print a JSON summary")
    a = ap.parse_args()
    run_filter = {k: v for k, v in {"workflow": a.workflow, "category": a.category}.items() if v}
    graphs, meta = fetch_subgraphs(a.url, run_filter or None, a.max, a.page, a.key)

    # Each graph as PyG wants it: x [N, F], edge_index [2, E], y [1] (graph label), node_y [N].
    F = len(meta["featureNames"]) if meta else 0
    for g in graphs:
        assert len(g["x"]) == g["numNodes"] and all(len(row) == F for row in g["x"])
        assert len(g["edgeIndex"]) == 2 and len(g["edgeIndex"][0]) == len(g["edgeIndex"][1])
    summary = {
        "graphs": len(graphs),
        "features": F,
        "featureScaling": meta["featureScaling"] if meta else None,
        "nodes": sum(g["numNodes"] for g in graphs),
        "edges": sum(len(g["edgeIndex"][0]) for g in graphs),
        "byCategory": {c: sum(1 for g in graphs if g["category"] == c) for c in (meta["classes"] if meta else [])},
        "pyg": False,
    }
    try:
        import torch
        from torch_geometric.data import Data

        data = [
            Data(x=torch.tensor(g["x"], dtype=torch.float), edge_index=torch.tensor(g["edgeIndex"], dtype=torch.long),
                 y=torch.tensor([g["y"]]), node_y=torch.tensor(g["nodeY"]), run_id=g["runId"])
            for g in graphs
        ]
        summary["pyg"] = True
        if data and not a.json:
            print("first graph as PyG Data:", data[0])
    except ImportError:
        if not a.json:
            print("(torch_geometric not installed: graphs kept as plain lists; with it, Data(x=tensor(g['x']), edge_index=tensor(g['edgeIndex'])) needs no reshaping)")
    if a.json:
        print(json.dumps(summary))
    else:
        print(f"fetched {summary['graphs']} graphs ({summary['nodes']} jobs, {summary['edges']} edges), {F} {summary['featureScaling']} features: {', '.join(meta['featureNames'][:6]) if meta else ''}, …")
        print("runs by true category:", summary["byCategory"])


if __name__ == "__main__":
    sys.exit(main())
