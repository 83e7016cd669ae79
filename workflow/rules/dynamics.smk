# dynamics stage: the slow-manifold ensemble (trained in chunks, classified, summarised) and the
# fixed/slow-point finder on ensemble and task networks. Science lives in pinfit.ensemble and
# pinfit.analysis.{dynamics,mechanisms}; these rules only wire paths and parameters.

wildcard_constraints:
    chunk=r"\d+",


rule ensemble_train:
    output:
        directory("results/ensemble/networks/chunk{chunk}.zarr"),
    log:
        "logs/ensemble/networks/chunk{chunk}.log",
    benchmark:
        "benchmarks/ensemble/networks/chunk{chunk}.tsv"
    params:
        grid={k: ENSEMBLE[k] for k in ("g", "sparsity", "feedback_scale", "n_seeds", "n_chunks")},
        task=ENSEMBLE["task"],
        training={k: ENSEMBLE[k] for k in ("n_units", "n_train_trials", "learn_every", "alpha", "init_scale", "seed")},
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_train_ensemble.py"


rule ensemble_mechanisms:
    input:
        "results/ensemble/networks/chunk{chunk}.zarr",
    output:
        directory("results/ensemble/analysis/chunk{chunk}_mechanisms.zarr"),
    log:
        "logs/ensemble/analysis/chunk{chunk}_mechanisms.log",
    benchmark:
        "benchmarks/ensemble/analysis/chunk{chunk}_mechanisms.tsv"
    params:
        classify=ENSEMBLE["classify"],
        decay=ENSEMBLE["decay"],
        noise=ENSEMBLE["noise"],
        seed=ENSEMBLE["seed"],
        device=config["device"],
    threads: ENSEMBLE["threads"]
    resources:
        mem_mb=2000,
        runtime=30,
        gpu=ENSEMBLE["gpu"],
    conda:
        CONDA_ENV
    script:
        "../scripts/dynamics_ensemble_mechanisms.py"


rule ensemble_fixed_points:
    input:
        "results/ensemble/networks/chunk{chunk}.zarr",
    output:
        zarr=directory("results/ensemble/analysis/chunk{chunk}_fixed_points.zarr"),
        csv="results/ensemble/analysis/chunk{chunk}_fixed_points.csv",
    log:
        "logs/ensemble/analysis/chunk{chunk}_fixed_points.log",
    benchmark:
        "benchmarks/ensemble/analysis/chunk{chunk}_fixed_points.tsv"
    params:
        n_starts=ENSEMBLE["fixed_points"]["n_starts"],
        finder=ENSEMBLE_FINDER,
        seed=ENSEMBLE["seed"],
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
    input:
        analysis=expand("results/ensemble/analysis/chunk{chunk}_mechanisms.zarr", chunk=ENSEMBLE_CHUNKS),
        fixed_points=expand("results/ensemble/analysis/chunk{chunk}_fixed_points.csv", chunk=ENSEMBLE_CHUNKS),
    output:
        zarr=directory("results/ensemble/analysis/mechanisms.zarr"),
        csv="results/ensemble/analysis/mechanisms.csv",
    log:
        "logs/ensemble/analysis/mechanisms.log",
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

