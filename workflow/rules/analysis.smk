# Analysis: connectivity and sequence measures of PINning fits; delay manifolds and dynamic codes
# of two-item sequential task networks. Each rule reads one upstream store and writes one
# results/<dataset>/analysis/<analysis>_<name>.zarr plus a tidy .csv.


wildcard_constraints:
    fit=r"[^/]+",
    network=r"[^/]+",


rule analysis_connectivity:
    """Weight change, non-normality, spectra, band analysis (dJ against a permuted-peak-time null),
    currents and their shares, bVar and Qeff of one PINning fit."""
    input:
        fit="results/{dataset}/pinning/{fit}.zarr",
    output:
        store=directory("results/{dataset}/analysis/connectivity_{fit}.zarr"),
        table="results/{dataset}/analysis/connectivity_{fit}.csv",
    params:
        condition=lambda wc: _analysis(wc.dataset, "connectivity")["condition"],
        band_bin_frames=lambda wc: _analysis(wc.dataset, "connectivity")["band_bin_frames"],
        variance_fraction=lambda wc: _analysis(wc.dataset, "connectivity")["variance_fraction"],
        controls=lambda wc: pinning_config(wc.dataset)["controls"],
    log:
        "logs/{dataset}/analysis/connectivity_{fit}.log",
    benchmark:
        "benchmarks/{dataset}/analysis/connectivity_{fit}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/analysis_connectivity.py"


rule connectivity_summary:
    """A recording's dJ-vs-peak-time statistics against their null, and the band strength, current
    shares and weight changes per p with across-seed 95 % intervals."""
    input:
        lambda wc: [f"results/{wc.dataset}/analysis/connectivity_{name}.zarr" for name in pinning_fit_names(wc.dataset)],
    output:
        dj="results/{dataset}/analysis/dj_vs_peak.csv",
        summary="results/{dataset}/analysis/connectivity_summary.csv",
    log:
        "logs/{dataset}/analysis/connectivity_summary.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/analysis_connectivity_summary.py"


rule task_grid:
    """Activity of one two-item sequential task network on the (theta1, theta2) item grid, simulated
    once and read by both the manifold and the code analyses."""
    input:
        network="results/{dataset}/behaviour/{network}.zarr",
    output:
        directory("results/{dataset}/analysis/grid_{network}.zarr"),
    params:
        analysis=lambda wc: stage_config(wc.dataset, "analysis"),
        device=config["device"],
    log:
        "logs/{dataset}/analysis/grid_{network}.log",
    benchmark:
        "benchmarks/{dataset}/analysis/grid_{network}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/analysis_grid.py"


rule analysis_manifold:
    """Delay manifold of one task network over the item grid: PCA, torus tests, homology, verdict."""
    input:
        grid="results/{dataset}/analysis/grid_{network}.zarr",
    output:
        store=directory("results/{dataset}/analysis/manifold_{network}.zarr"),
        table="results/{dataset}/analysis/manifold_{network}.csv",
    params:
        analysis=lambda wc: stage_config(wc.dataset, "analysis"),
    log:
        "logs/{dataset}/analysis/manifold_{network}.log",
    benchmark:
        "benchmarks/{dataset}/analysis/manifold_{network}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/analysis_manifold.py"


rule analysis_codes:
    """Item-1 tuning before/after item 2, cross-temporal decoding, input-subspace angles, sorted weights."""
    input:
        grid="results/{dataset}/analysis/grid_{network}.zarr",
        network="results/{dataset}/behaviour/{network}.zarr",
    output:
        store=directory("results/{dataset}/analysis/codes_{network}.zarr"),
        table="results/{dataset}/analysis/codes_{network}.csv",
    params:
        analysis=lambda wc: stage_config(wc.dataset, "analysis"),
    log:
        "logs/{dataset}/analysis/codes_{network}.log",
    benchmark:
        "benchmarks/{dataset}/analysis/codes_{network}.tsv"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/analysis_codes.py"
