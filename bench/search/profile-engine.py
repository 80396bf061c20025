"""Milvus Lite's engine alone, in process, on the data directory the search bench left behind.

    .venv/bin/python bench/search/profile-engine.py DATA_DIR COLLECTION QUERIES_JSON KB

Times the same dense and BM25 searches the bench sent over gRPC, without gRPC and the Node client,
with and without the kb filter and the returned fields, and profiles the dense search (cProfile) to
show which functions the time goes to. Prints one JSON object.
"""

import cProfile
import json
import pstats
import sys
import time

from milvus_lite.db import MilvusLite

OUTPUT = ["entry_id", "text", "answer", "meta"]


def timed(fn, items):
    samples = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()

    def pct(p):
        return round(samples[min(len(samples) - 1, max(0, -(-p * len(samples) // 100) - 1))], 2)

    return {"count": len(samples), "p50Ms": pct(50), "p99Ms": pct(99), "meanMs": round(sum(samples) / len(samples), 2)}


def top_self_time(profiler, per):
    stats = pstats.Stats(profiler)
    total = sum(row[2] for row in stats.stats.values())
    top = sorted(stats.stats.items(), key=lambda kv: kv[1][2], reverse=True)[:12]
    return total, [
        {
            "function": f"{fn[0].split('site-packages/')[-1]}:{fn[1]}({fn[2]})",
            "calls": row[1],
            "selfMsPerQuery": round(row[2] * 1000 / per, 3),
            "share": round(row[2] / total, 3) if total else 0,
        }
        for fn, row in top
    ]


def profile_insert(db, col, rows=2048, batch=64):
    """Re-inserts rows read back from the collection into a copy of its schema, in the bench's batches."""
    records = col.query(expr=None, output_fields=["pk", "kb", "entry_id", "text", "answer", "meta", "dense"], limit=rows)
    for r in records:
        r.pop("sparse", None)
    copy = db.create_collection(f"{col.name}_insert_profile", copy_schema(col._schema))
    profiler = cProfile.Profile()
    t0 = time.perf_counter()
    profiler.enable()
    for i in range(0, len(records), batch):
        copy.insert(records[i:i + batch])
    profiler.disable()
    seconds = time.perf_counter() - t0
    total, top = top_self_time(profiler, len(records))
    return {
        "rows": len(records),
        "batch": batch,
        "rowsPerSecond": round(len(records) / seconds),
        "topSelfTime": [dict(t, selfMsPerRow=t.pop("selfMsPerQuery")) for t in top[:8]],
    }


def copy_schema(schema):
    import copy

    return copy.deepcopy(schema)


def main():
    data_dir, collection, queries_file, kb = sys.argv[1:5]
    with open(queries_file, encoding="utf-8") as f:
        queries = json.load(f)
    db = MilvusLite(data_dir)
    col = db.get_collection(collection)
    t0 = time.perf_counter()
    col.load()
    load_seconds = time.perf_counter() - t0
    expr = f'kb == "{kb}"'
    vectors = [q["vector"] for q in queries]
    texts = [q["text"] for q in queries]

    def dense(v, expr=expr, output=OUTPUT):
        col.search([v], top_k=40, metric_type="COSINE", anns_field="dense", expr=expr,
                   output_fields=output, search_params={"ef": 64})

    def bm25(t):
        col.search([t], top_k=40, metric_type="BM25", anns_field="sparse", expr=expr, output_fields=OUTPUT)

    # The first search of each kind builds per-segment structures (the BM25 scorer); keep that out of the figures.
    for v, t in list(zip(vectors, texts))[:10]:
        dense(v)
        bm25(t)
    result = {
        "loadSeconds": round(load_seconds, 2),
        "segments": [
            {"rows": s.num_rows, "indexes": sorted(s.indexes.keys())} for s in col._segments_snapshot()
        ],
        "memtableRows": col._memtable.size(),
        "dense": timed(dense, vectors),
        "denseNoFilter": timed(lambda v: dense(v, expr=None), vectors),
        "denseNoFilterNoFields": timed(lambda v: dense(v, expr=None, output=[]), vectors),
        "bm25": timed(bm25, texts),
    }
    profiler = cProfile.Profile()
    profiler.enable()
    for v in vectors:
        dense(v)
    profiler.disable()
    total, top = top_self_time(profiler, len(vectors))
    result["denseProfile"] = {"queries": len(vectors), "totalSelfSeconds": round(total, 3), "topSelfTime": top}
    try:
        result["insertProfile"] = profile_insert(db, col)
    except Exception as error:  # the search figures stand without it
        result["insertProfile"] = {"error": repr(error)}
    db.close()
    print(json.dumps(result))


main()
