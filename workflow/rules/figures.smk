from pinfit.figures.pinning import choose_p

# Figures: one rule per manuscript figure, each drawing only from result stores and tables
# (package pinfit.figures) and saving PDF, SVG and 300-dpi PNG under results/figures/<dataset>/.
# The PNGs go into `snakemake --report results/report.html` with the captions in workflow/report/.
# A figure is requested only once the stage it draws from has declared its outputs (the upstream
# rule files define pinning_fit_names, behaviour_network_names and ensemble_outputs).

def _figures():
    return config.get("figures", {})


def _upstream(helper_name, *args):
    """An upstream rule file's helper result, or None while that stage is not wired in."""
    helper = globals().get(helper_name)
    return helper(*args) if helper is not None else None


def _shown(names, wanted, preferred=()):
    """The store a figure draws: `wanted` if set, else the first of `preferred` present, else the first."""
    names = list(names or [])
    if wanted:
        if wanted not in names:
            raise WorkflowError(f"config: figures: {wanted!r} is not one of {names}. Fix: pick one of them or ''.")
        return wanted
    return next((n for n in preferred if n in names), names[0] if names else None)


def _shown_fits(dataset, prefix="pinning/"):
    """Fit names (p<p>_seed<seed>) drawn in Figures 1 and 3: `p_shown` (default: smallest,
    middle and largest fitted p) of `seed_shown` (default: the first seed)."""
    pinning = stage_config(dataset, "pinning")
    seed = _figures().get("seed_shown")
    seed = pinning["seeds"][0] if seed is None else seed
    if seed not in pinning["seeds"]:
        raise WorkflowError(f"config: figures.seed_shown: {seed} is not a fitted seed {pinning['seeds']}. "
                            "Fix: pick one of them or null.")
    return [f"p{p:g}_seed{seed}" for p in choose_p(pinning["p"], _figures().get("p_shown", []))]


def _network_shown(dataset):
    return _shown(_upstream("behaviour_network_names", dataset), _figures().get("network_shown", ""), ("chosen",))


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
        stem=lambda wc, output: output.png.removesuffix(".png"),
        n_examples=lambda wc: _figures().get("n_example_traces", 3),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/{dataset}/figures/activity.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_activity.py"


rule figure_pinning:
    """Figure 2: pVar against p (mean and spread over seeds) and training curves."""
    input:
        summary="results/{dataset}/pinning/summary.csv",
        fits=lambda wc: [f"results/{wc.dataset}/pinning/{n}.zarr" for n in _upstream("pinning_fit_names", wc.dataset)],
    output:
        pdf="results/figures/{dataset}/pinning.pdf",
        svg="results/figures/{dataset}/pinning.svg",
        png=report("results/figures/{dataset}/pinning.png", caption="../report/pinning.rst",
                   category="2 PINning fits", subcategory="{dataset}"),
    params:
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/{dataset}/figures/pinning.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_pinning.py"


rule figure_connectivity:
    """Figure 3: J and dJ against peak-time difference, currents over time, eigenvalue spectra."""
    input:
        connectivity=lambda wc: [
            f"results/{wc.dataset}/analysis/connectivity_{name}.zarr" for name in _shown_fits(wc.dataset)
        ],
    output:
        pdf="results/figures/{dataset}/connectivity.pdf",
        svg="results/figures/{dataset}/connectivity.svg",
        png=report("results/figures/{dataset}/connectivity.png", caption="../report/connectivity.rst",
                   category="3 Connectivity", subcategory="{dataset}"),
    params:
        stem=lambda wc, output: output.png.removesuffix(".png"),
        condition=lambda wc: stage_config(wc.dataset, "analysis").get("connectivity", {}).get("condition"),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/{dataset}/figures/connectivity.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_connectivity.py"


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
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/{dataset}/figures/behaviour.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_behaviour.py"


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
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/{dataset}/figures/manifold.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_manifold.py"


rule figure_dynamics:
    """Figure 6: fixed/slow points of example networks, mechanism shares, memory decay, noise robustness."""
    input:
        mechanisms="results/ensemble/analysis/mechanisms.zarr",
        fixed_points=lambda wc: [
            f"results/ensemble/analysis/chunk{c}_fixed_points.zarr" for c in _ensemble_chunks()
        ],
    output:
        pdf="results/figures/ensemble/dynamics.pdf",
        svg="results/figures/ensemble/dynamics.svg",
        png=report("results/figures/ensemble/dynamics.png", caption="../report/dynamics.rst",
                   category="6 Dynamics", subcategory="ensemble"),
    params:
        stem=lambda wc, output: output.png.removesuffix(".png"),
        dpi=lambda wc: _figures().get("dpi", 300),
    log:
        "logs/ensemble/figures/dynamics.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=5,
    script:
        "../scripts/figures_dynamics.py"


def _ensemble_chunks():
    """dynamics.smk's chunk indices of the ensemble, once that stage is wired in."""
    return globals().get("ENSEMBLE_CHUNKS")


def figure_outputs():
    """Every figure whose upstream stage is wired in: 1-3 per recording, 4-5 per behaviour
    dataset, 6 for the ensemble."""
    paths = []
    for d in RECORDINGS:
        if _upstream("pinning_fit_names", d):
            paths += [f"results/figures/{d}/{name}.png" for name in ("activity", "pinning", "connectivity")]
    for d in BEHAVIOURS:
        networks = _upstream("behaviour_network_names", d)
        if networks:
            paths.append(f"results/figures/{d}/behaviour.png")
            if _upstream("_two_item_sequential", d):  # analysis.smk: manifolds need two sequential items
                paths.append(f"results/figures/{d}/manifold.png")
    if _ensemble_chunks():
        paths.append("results/figures/ensemble/dynamics.png")
    return paths


OUTPUT_FUNCTIONS.append(figure_outputs)
