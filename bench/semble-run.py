"""semble's side of `npm run bench:instant` (bench/instant.ts), one process per repository, started cold.

Indexes FOLDER with semble's defaults and the model2vec folder MODEL (our static model, exported by
scripts/export-model2vec.mjs: nothing is fetched; HF_HUB_OFFLINE=1 and a fresh SEMBLE_CACHE_LOCATION come
from the caller), answers the first question and prints it at once (the caller's clock stops there), then
answers the rest and prints one JSON line with every question's top K chunks, the index's size and the
process's own times.

Usage: .venv-semble/bin/python bench/semble-run.py FOLDER MODEL QUESTIONS.json K
QUESTIONS.json: a JSON array of query strings.
"""

import json
import resource
import sys
import time

started = time.perf_counter()
from semble import SembleIndex  # noqa: E402 (its import time is part of the cold start we measure)

imported = time.perf_counter()


def top(index, query, k):
    return [
        {"path": r.chunk.file_path, "startLine": r.chunk.start_line, "endLine": r.chunk.end_line, "score": float(r.score)}
        for r in index.search(query, top_k=k)
    ]


def main():
    folder, model, questions_file, k = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    with open(questions_file) as f:
        questions = json.load(f)
    index = SembleIndex.from_path(folder, model_path=model)
    indexed = time.perf_counter()
    first = top(index, questions[0], k)
    print(json.dumps({"first": first}), flush=True)
    answered = time.perf_counter()
    first_usage = resource.getrusage(resource.RUSAGE_SELF)
    results, latencies = [first], []
    for query in questions[1:]:
        t = time.perf_counter()
        results.append(top(index, query, k))
        latencies.append(time.perf_counter() - t)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    stats = index.stats
    print(
        json.dumps(
            {
                "results": results,
                "files": stats.indexed_files,
                "chunks": stats.total_chunks,
                "importSeconds": imported - started,
                "indexSeconds": indexed - imported,
                "firstAnswerSeconds": answered - indexed,
                "queryLatencies": latencies,
                "cpuFirstSeconds": first_usage.ru_utime + first_usage.ru_stime,
                "cpuSeconds": usage.ru_utime + usage.ru_stime,
                "maxRssMb": usage.ru_maxrss / 1024,
            }
        ),
        flush=True,
    )


main()
