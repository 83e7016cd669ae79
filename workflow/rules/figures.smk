# Figures: one rule per manuscript figure, each drawing only from result stores and tables
# (package pinfit.figures) and saving PDF, SVG and 300-dpi PNG under results/figures/<dataset>/.
# The PNGs go into `snakemake --report results/report.html` with the captions in workflow/report/.

rule figure_activity:
    """Figure 1: data and PINned models (several p) as sequences sorted by peak time, with traces."""
    input:
        recording="results/{dataset}/recording.zarr",
        fits=lambda wc: [f"results/{wc.dataset}/pinning/{name}.zarr" for name in _shown_fits(wc.dataset)],
    output:
        pdf="results/figures/{dataset}/activity.pdf",
        svg="results/figures/{dataset}/activity.svg",
        png=report("results/figures/{dataset}/activity.png", caption="../report/activity.rst",
                   category="1 Data vs model", subcategory="{dataset}"),
    params:
        figure="activity",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options={"n_examples": FIGURES["n_example_traces"]},
    log:
        "logs/{dataset}/figures/activity.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_pinning:
    """Figure 2: trained-on and held-out pVar against p (across-seed 95 % intervals, noise
    ceiling), training curves, the paper's controls against p."""
    input:
        summary="results/{dataset}/pinning/summary.csv",
        fits=lambda wc: [f"results/{wc.dataset}/pinning/{n}.zarr" for n in pinning_fit_names(wc.dataset)],
    output:
        pdf="results/figures/{dataset}/pinning.pdf",
        svg="results/figures/{dataset}/pinning.svg",
        png=report("results/figures/{dataset}/pinning.png", caption="../report/pinning.rst",
                   category="2 PINning fits", subcategory="{dataset}"),
    params:
        figure="pinning",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options={},
    log:
        "logs/{dataset}/figures/pinning.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_connectivity:
    """Figure 3: J and dJ against peak-time difference (with the permuted-peak-time null), band
    strength, current shares and weight change against p (across-seed 95 % intervals), currents,
    eigenvalue spectra."""
    input:
        connectivity=lambda wc: [
            f"results/{wc.dataset}/analysis/connectivity_{name}.zarr" for name in _shown_fits(wc.dataset)
        ],
        summary="results/{dataset}/analysis/connectivity_summary.csv",
        dj_vs_peak="results/{dataset}/analysis/dj_vs_peak.csv",
    output:
        pdf="results/figures/{dataset}/connectivity.pdf",
        svg="results/figures/{dataset}/connectivity.svg",
        png=report("results/figures/{dataset}/connectivity.png", caption="../report/connectivity.rst",
                   category="3 Connectivity", subcategory="{dataset}"),
    params:
        figure="connectivity",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options=lambda wc: {"condition": stage_config(wc.dataset, "analysis")["connectivity"]["condition"]},
    log:
        "logs/{dataset}/figures/connectivity.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_behaviour:
    """Figure 4: human vs model errors, mixture parameters by set size, bias, ranking."""
    input:
        human="results/{dataset}/behaviour.zarr",
        reports="results/{dataset}/behaviour/reports.zarr",
        mixture="results/{dataset}/behaviour/mixture.csv",
        bias="results/{dataset}/behaviour/bias.csv",
        ranking="results/{dataset}/behaviour/ranking.csv",
    output:
        pdf="results/figures/{dataset}/behaviour.pdf",
        svg="results/figures/{dataset}/behaviour.svg",
        png=report("results/figures/{dataset}/behaviour.png", caption="../report/behaviour.rst",
                   category="4 Behaviour", subcategory="{dataset}"),
    params:
        figure="behaviour",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options={},
    log:
        "logs/{dataset}/figures/behaviour.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_manifold:
    """Figure 5: two-item manifold, torus metrics, persistence, sorted weights, cross-temporal decoding."""
    input:
        manifold=lambda wc: f"results/{wc.dataset}/analysis/manifold_{_network_shown(wc.dataset)}.zarr",
        codes=lambda wc: f"results/{wc.dataset}/analysis/codes_{_network_shown(wc.dataset)}.zarr",
    output:
        pdf="results/figures/{dataset}/manifold.pdf",
        svg="results/figures/{dataset}/manifold.svg",
        png=report("results/figures/{dataset}/manifold.png", caption="../report/manifold.rst",
                   category="5 Manifolds", subcategory="{dataset}"),
    params:
        figure="manifold",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options={},
    log:
        "logs/{dataset}/figures/manifold.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"


rule figure_dynamics:
    """Figure 6: fixed/slow points of example networks, mechanism shares, memory decay, noise robustness."""
    input:
        mechanisms="results/ensemble/analysis/mechanisms.zarr",
        fixed_points=expand("results/ensemble/analysis/chunk{chunk}_fixed_points.zarr", chunk=ENSEMBLE_CHUNKS),
    output:
        pdf="results/figures/ensemble/dynamics.pdf",
        svg="results/figures/ensemble/dynamics.svg",
        png=report("results/figures/ensemble/dynamics.png", caption="../report/dynamics.rst",
                   category="6 Dynamics", subcategory="ensemble"),
    params:
        figure="dynamics",
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=FIGURES["dpi"],
        options={},
    log:
        "logs/ensemble/figures/dynamics.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    conda:
        CONDA_ENV
    script:
        "../scripts/figure.py"

