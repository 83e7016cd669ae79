# Behaviour: train task networks on each behaviour dataset's task (one Snakemake job per condition
# of the sweep, so a cluster spreads them), simulate them on the dataset's
# own trials, measure humans and models the same way, rank the conditions.


rule behaviour_train:
    """Train one task network (one condition of the sweep) on the dataset's task."""
    input:
        "results/{dataset}/behaviour.zarr",
    output:
        directory("results/{dataset}/behaviour/{condition}.zarr"),
    wildcard_constraints:
        dataset="|".join(BEHAVIOURS) or "NO_BEHAVIOUR",
        condition="|".join(n for d in BEHAVIOURS for n in behaviour_condition_names(d)) or "NO_CONDITION",
    params:
        behaviour=lambda wc: behaviour_config(wc.dataset),
        device=config["device"],
        checkpoint="results/{dataset}/behaviour/.{condition}-checkpoint.pt",
    log:
        "logs/{dataset}/behaviour/train_{condition}.log",
    benchmark:
        "benchmarks/{dataset}/behaviour/train_{condition}.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=60,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_train.py"


rule behaviour_simulate:
    """Every trained network, many times on the dataset's own trials -> model reports."""
    input:
        behaviour="results/{dataset}/behaviour.zarr",
        networks=_behaviour_networks,
    output:
        directory("results/{dataset}/behaviour/reports.zarr"),
    params:
        behaviour=lambda wc: behaviour_config(wc.dataset),
        device=config["device"],
    log:
        "logs/{dataset}/behaviour/simulate.log",
    benchmark:
        "benchmarks/{dataset}/behaviour/simulate.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
        gpu=0,
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_simulate.py"


rule behaviour_statistics:
    """Circular SD, bias, error correlation and mixture fits (per subject and pooled, with model
    comparison and recovery) of humans and every condition."""
    input:
        behaviour="results/{dataset}/behaviour.zarr",
        reports="results/{dataset}/behaviour/reports.zarr",
    output:
        summary="results/{dataset}/behaviour/summary.csv",
        mixture="results/{dataset}/behaviour/mixture.csv",
        mixture_summary="results/{dataset}/behaviour/mixture_summary.csv",
        comparison="results/{dataset}/behaviour/comparison.csv",
        bias="results/{dataset}/behaviour/bias.csv",
    params:
        behaviour=lambda wc: behaviour_config(wc.dataset),
    log:
        "logs/{dataset}/behaviour/statistics.log",
    benchmark:
        "benchmarks/{dataset}/behaviour/statistics.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_statistics.py"


rule behaviour_rank:
    """Rank conditions against the humans (with a bootstrap over subjects), check parameter
    recovery, copy out the chosen network."""
    input:
        behaviour="results/{dataset}/behaviour.zarr",
        reports="results/{dataset}/behaviour/reports.zarr",
        networks=_behaviour_networks,
        summary="results/{dataset}/behaviour/summary.csv",
        mixture="results/{dataset}/behaviour/mixture.csv",
        bias="results/{dataset}/behaviour/bias.csv",
    output:
        ranking="results/{dataset}/behaviour/ranking.csv",
        recovery="results/{dataset}/behaviour/recovery.csv",
        chosen=directory("results/{dataset}/behaviour/chosen.zarr"),
    params:
        behaviour=lambda wc: behaviour_config(wc.dataset),
    log:
        "logs/{dataset}/behaviour/rank.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/behaviour_rank.py"

