# Analysis: connectivity and sequence measures of PINning fits; delay manifolds and dynamic codes
# of two-item sequential task networks. Each rule reads one upstream store and writes one
# results/<dataset>/analysis/<analysis>_<name>.zarr plus a tidy .csv.


wildcard_constraints:
    fit=r"[^/]+",
    network=r"[^/]+",


rule analysis_connectivity:
    """Weight change, non-normality, spectra, band analysis, currents, bVar and Qeff of one PINning fit."""
    input:
        fit="results/{dataset}/pinning/{fit}.zarr",
    output:
        store=directory("results/{dataset}/analysis/connectivity_{fit}.zarr"),
        table="results/{dataset}/analysis/connectivity_{fit}.csv",
    params:
        condition=lambda wc: _analysis(wc.dataset, "connectivity")["condition"],
        band_bin_frames=lambda wc: _analysis(wc.dataset, "connectivity")["band_bin_frames"],
        variance_fraction=lambda wc: _analysis(wc.dataset, "connectivity")["variance_fraction"],
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


rule analysis_manifold:
    """Delay manifold of one task network over a (theta1, theta2) grid: PCA, torus tests, homology, verdict."""
    input:
        network="results/{dataset}/behaviour/{network}.zarr",
    output:
        store=directory("results/{dataset}/analysis/manifold_{network}.zarr"),
        table="results/{dataset}/analysis/manifold_{network}.csv",
    params:
        n_grid=lambda wc: _analysis(wc.dataset)["task_grid"],
        noise=lambda wc: _analysis(wc.dataset)["task_noise"],
        seed=lambda wc: _analysis(wc.dataset)["seed"],
        device=config["device"],
        delay_fraction=lambda wc: _analysis(wc.dataset, "manifold")["delay_fraction"],
        n_components=lambda wc: _analysis(wc.dataset, "manifold")["n_components"],
        n_landmarks=lambda wc: _analysis(wc.dataset, "manifold")["n_landmarks"],
        n_shuffles=lambda wc: _analysis(wc.dataset, "manifold")["n_shuffles"],
        homology_margin=lambda wc: _analysis(wc.dataset, "manifold")["homology_margin"],
        max_interaction_fraction=lambda wc: _analysis(wc.dataset, "manifold")["max_interaction_fraction"],
        min_principal_angle=lambda wc: _analysis(wc.dataset, "manifold")["min_principal_angle"],
        min_radius_ratio=lambda wc: _analysis(wc.dataset, "manifold")["min_radius_ratio"],
        max_radius_cv=lambda wc: _analysis(wc.dataset, "manifold")["max_radius_cv"],
        min_additive_r2=lambda wc: _analysis(wc.dataset, "manifold")["min_additive_r2"],
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
        network="results/{dataset}/behaviour/{network}.zarr",
    output:
        store=directory("results/{dataset}/analysis/codes_{network}.zarr"),
        table="results/{dataset}/analysis/codes_{network}.csv",
    params:
        n_grid=lambda wc: _analysis(wc.dataset)["task_grid"],
        noise=lambda wc: _analysis(wc.dataset)["task_noise"],
        seed=lambda wc: _analysis(wc.dataset)["seed"],
        device=config["device"],
        decode_stride=lambda wc: _analysis(wc.dataset, "codes")["decode_stride"],
        ridge=lambda wc: _analysis(wc.dataset, "codes")["ridge"],
        weight_bins=lambda wc: _analysis(wc.dataset, "codes")["weight_bins"],
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

