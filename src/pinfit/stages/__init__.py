"""Workflow stages: one function per Snakemake rule, the only code that reads or writes stores.

Each takes its input paths, output paths and parameters as keywords, reads the input stores,
calls the pure engines and analyses, and writes its outputs atomically.
"""
