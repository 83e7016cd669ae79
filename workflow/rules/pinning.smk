# pinning stage: PINning fits of every recording dataset, swept over p and seeds.
# One job per (dataset, seed) trains every p of that seed as one batch (they share J0 and the
# frozen input) and writes the batch store; a light job cuts out one store per p, and a gather
# rule tabulates a dataset's fits.


rule pinning_fit:
    """Fit every p of one seed to a recording as one batch (RLS on the plastic weights)."""
    message:
        "PINning {wildcards.dataset}, seed {wildcards.seed}"
    input:
        recording="results/{dataset}/recording.zarr",
    output:
        directory("results/{dataset}/pinning/batches/seed{seed}.zarr"),
    params:
        pinning=lambda wc: pinning_config(wc.dataset),
        device=config["device"],
        checkpoint="results/{dataset}/pinning/checkpoints/seed{seed}.npz",
    log:
        "logs/{dataset}/pinning/seed{seed}.log",
    benchmark:
        "benchmarks/{dataset}/pinning/seed{seed}.tsv"
    threads: lambda wc: pinning_config(wc.dataset)["threads"]
    resources:
        mem_mb=lambda wc: pinning_config(wc.dataset)["mem_mb"],
        runtime=lambda wc: pinning_config(wc.dataset)["runtime"],
        gpu=lambda wc: pinning_config(wc.dataset)["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/pinning_fit.py"


rule pinning_select:
    """One p of a batch as its own fit store (what the analyses and figures read)."""
    input:
        "results/{dataset}/pinning/batches/seed{seed}.zarr",
    output:
        directory(f"results/{{dataset}}/pinning/{FIT_PATTERN}.zarr"),
    log:
        f"logs/{{dataset}}/pinning/{FIT_PATTERN}.log",
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/pinning_select.py"


rule pinning_summary:
    """One row per fit of a dataset: p, seed, free-run pVar, final chi2, runs, units, seconds."""
    input:
        lambda wc: pinning_fit_paths(wc.dataset),
    output:
        "results/{dataset}/pinning/summary.csv",
    log:
        "logs/{dataset}/pinning/summary.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/pinning_summary.py"
