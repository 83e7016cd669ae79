# pinning stage: PINning fits of every recording dataset, swept over p and seeds.
# One job per (dataset, seed) trains every p of that seed as one batch (they share J0 and the
# frozen input) and writes one store per p; a gather rule tabulates a dataset's fits.

for _dataset in RECORDINGS:
    _cfg = _pinning(_dataset)

    rule:
        name:
            f"pinning_fit_{_dataset}"
        message:
            f"PINning {_dataset}, seed {{wildcards.seed}}: p = {_cfg['p']}"
        input:
            recording=f"results/{_dataset}/recording.zarr",
        output:
            [directory(f"results/{_dataset}/pinning/p{p:g}_seed{{seed}}.zarr") for p in _cfg["p"]],
        params:
            p=_cfg["p"],
            model={key: _cfg[key] for key in _PINNING_MODEL_KEYS},
            device=config.get("device", "auto"),
            checkpoint=f"results/{_dataset}/pinning/checkpoints/seed{{seed}}.npz",
        log:
            f"logs/{_dataset}/pinning/seed{{seed}}.log",
        benchmark:
            f"benchmarks/{_dataset}/pinning/seed{{seed}}.tsv"
        threads: _cfg["threads"]
        resources:
            mem_mb=_cfg["mem_mb"],
            runtime=_cfg["runtime"],
            gpu=_cfg["gpu"],
        conda:
            "../../envs/pinfit.yaml"
        script:
            "../scripts/pinning_fit.py"


rule pinning_summary:
    """One row per fit of a dataset: p, seed, free-run pVar, final chi2, runs, units, seconds."""
    input:
        lambda wc: [f"results/{wc.dataset}/pinning/{name}.zarr" for name in pinning_fit_names(wc.dataset)],
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
        "../../envs/pinfit.yaml"
    script:
        "../scripts/pinning_summary.py"

