"""Benchmarks of dge-graph from one municipality to the whole country (see docs/benchmarks.md).

``python -m benchmarks.run --sizes 10 50 300 --runs 5`` (or ``make bench SIZES="10 50 300" RUNS=5``) generates
synthetic deployments over the real municipalities, builds them into a store, and measures build, validation,
named queries (store and HTTP) and linked-data dereferencing, with pyshacl, rdflib and a raw ``oxigraph serve`` as
baselines in the same run. Every stage runs in a fresh worker process (``benchmarks.worker``) so that peak memory
and caches belong to that stage alone.
"""
