# dynamics stage: the slow-manifold ensemble (trained in chunks, characterised, cross-checked
# by the fixed/slow-point finder, summarised) and the finder on task networks. Science lives in
# pinfit.ensemble and pinfit.analysis.dynamics, file handling in pinfit.stages.ensemble; these
# rules only wire paths and the `ensemble` config section.

wildcard_constraints:
    chunk=r"\d+",


rule ensemble_train:
    """Draw and FORCE-train one chunk of the ensemble grid as one batch; test it on fresh trials."""
    output:
        directory("results/ensemble/networks/chunk{chunk}.zarr"),
    log:
        "logs/ensemble/networks/chunk{chunk}.log",
    benchmark:
        "benchmarks/ensemble/networks/chunk{chunk}.tsv"
    params:
        ensemble=ENSEMBLE,
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=2000,
        runtime=60,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_train_ensemble.py"


rule ensemble_mechanisms:
    """Classify every network's dynamics (its mechanism when trained); decay, noise and interruption probes of the trained."""
    input:
        "results/ensemble/networks/chunk{chunk}.zarr",
    output:
        directory("results/ensemble/analysis/chunk{chunk}_mechanisms.zarr"),
    log:
        "logs/ensemble/analysis/chunk{chunk}_mechanisms.log",
    benchmark:
        "benchmarks/ensemble/analysis/chunk{chunk}_mechanisms.tsv"
    params:
        ensemble=ENSEMBLE,
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=4000,
        runtime=60,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_ensemble_mechanisms.py"


rule ensemble_fixed_points:
    """Fixed/slow points of every network of one chunk: the cross-check of each verdict, PC projections."""
    input:
        networks="results/ensemble/networks/chunk{chunk}.zarr",
        mechanisms="results/ensemble/analysis/chunk{chunk}_mechanisms.zarr",
    output:
        zarr=directory("results/ensemble/analysis/chunk{chunk}_fixed_points.zarr"),
        csv="results/ensemble/analysis/chunk{chunk}_fixed_points.csv",
    log:
        "logs/ensemble/analysis/chunk{chunk}_fixed_points.log",
    benchmark:
        "benchmarks/ensemble/analysis/chunk{chunk}_fixed_points.tsv"
    params:
        ensemble=ENSEMBLE,
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_ensemble_fixed_points.py"


rule ensemble_summary:
    """Join the chunks: per-network store and the per-mechanism table with 95 % intervals and shares."""
    input:
        analysis=expand("results/ensemble/analysis/chunk{chunk}_mechanisms.zarr", chunk=ENSEMBLE_CHUNKS),
        fixed_points=expand("results/ensemble/analysis/chunk{chunk}_fixed_points.zarr", chunk=ENSEMBLE_CHUNKS),
    output:
        zarr=directory("results/ensemble/analysis/mechanisms.zarr"),
        csv="results/ensemble/analysis/mechanisms.csv",
    log:
        "logs/ensemble/analysis/mechanisms.log",
    params:
        ensemble=ENSEMBLE,
    threads: 1
    resources:
        mem_mb=1000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_ensemble_summary.py"


rule task_fixed_points:
    input:
        "results/{dataset}/behaviour/{condition}.zarr",
    output:
        zarr=directory("results/{dataset}/analysis/fixed_points_{condition}.zarr"),
        csv="results/{dataset}/analysis/fixed_points_{condition}.csv",
    log:
        "logs/{dataset}/analysis/fixed_points_{condition}.log",
    benchmark:
        "benchmarks/{dataset}/analysis/fixed_points_{condition}.tsv"
    params:
        finder=ENSEMBLE["task_fixed_points"],
        seed=ENSEMBLE["seed"],
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=2000,
        runtime=20,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_task_fixed_points.py"

