# pinning stage: PINning fits of every recording dataset, swept over p and seeds.
# One job per (dataset, seed) trains every p of that seed as one batch (they share J0 and the
# frozen input) and writes the batch store; a light job cuts out one store per p. Per seed, one
# job fits the same batch to each held-out fold's training average and scores it on the fold's
# other trials, and one runs the paper's controls on the trained batch; a gather rule tabulates
# a dataset's fits with across-seed intervals.


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


rule pinning_heldout:
    """Held-out validation: the seed's batch trained on each fold's training average, scored on the fold's test average."""
    message:
        "PINning held-out folds {wildcards.dataset}, seed {wildcards.seed}"
    input:
        recording="results/{dataset}/recording.zarr",
    output:
        "results/{dataset}/pinning/heldout_seed{seed}.csv",
    params:
        pinning=lambda wc: pinning_config(wc.dataset),
        device=config["device"],
    log:
        "logs/{dataset}/pinning/heldout_seed{seed}.log",
    benchmark:
        "benchmarks/{dataset}/pinning/heldout_seed{seed}.tsv"
    threads: lambda wc: pinning_config(wc.dataset)["threads"]
    resources:
        mem_mb=lambda wc: pinning_config(wc.dataset)["mem_mb"],
        runtime=lambda wc: pinning_config(wc.dataset)["runtime"],
        gpu=lambda wc: pinning_config(wc.dataset)["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/pinning_heldout.py"


rule pinning_controls:
    """The controls of Rajan et al. 2016 on the seed's trained batch: no input, J0 at the plastic weights, shuffled dJ."""
    input:
        recording="results/{dataset}/recording.zarr",
        batch="results/{dataset}/pinning/batches/seed{seed}.zarr",
    output:
        "results/{dataset}/pinning/controls_seed{seed}.csv",
    params:
        pinning=lambda wc: pinning_config(wc.dataset),
    log:
        "logs/{dataset}/pinning/controls_seed{seed}.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/pinning_controls.py"


rule pinning_summary:
    """One row per fit (pVar trained-on and held-out, noise ceiling, controls); per-p intervals; control runs."""
    input:
        fits=lambda wc: pinning_fit_paths(wc.dataset),
        heldout=lambda wc: [
            f"results/{wc.dataset}/pinning/heldout_seed{seed}.csv" for seed in pinning_config(wc.dataset)["seeds"]
        ],
        controls=lambda wc: [
            f"results/{wc.dataset}/pinning/controls_seed{seed}.csv" for seed in pinning_config(wc.dataset)["seeds"]
        ],
    output:
        summary="results/{dataset}/pinning/summary.csv",
        by_p="results/{dataset}/pinning/summary_by_p.csv",
        controls="results/{dataset}/pinning/controls.csv",
    params:
        pinning=lambda wc: pinning_config(wc.dataset),
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
