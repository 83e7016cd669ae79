# Behaviour: train task networks on each behaviour dataset's task (one network per condition of
# the sweep, all conditions of a dataset batched in one torch job), simulate them on the dataset's
# own trials, measure humans and models the same way, rank the conditions.
from pinfit.behaviour import sweep_conditions


def _behaviour(dataset):
    return stage_config(dataset, "behaviour")


def behaviour_condition_names(dataset):
    """Names of the dataset's training conditions (cartesian product of the swept lists)."""
    return [c.name for c in sweep_conditions(**_behaviour(dataset)["conditions"])]


def behaviour_network_names(dataset):
    """Network stores results/<dataset>/behaviour/<name>.zarr: one per condition, and 'chosen'."""
    return behaviour_condition_names(dataset) + ["chosen"]


def _behaviour_networks(wildcards):
    return [f"results/{wildcards.dataset}/behaviour/{n}.zarr" for n in behaviour_condition_names(wildcards.dataset)]


_TASK_KEYS = ("task", "report", "n_tuned", "tuning_exponent", "input_amplitude", "fixation", "stimulus",
              "gap", "delay_min", "delay_max", "response", "jitter", "dt")
_TRAINING_KEYS = ("n_units", "tau", "g", "steps", "batch_size", "learning_rate", "grad_clip")


# One rule per dataset: a job's outputs must be listed explicitly, and a sweep trains as one batch.
for _dataset in BEHAVIOURS:

    rule:
        name:
            f"behaviour_train_{_dataset}"
        input:
            f"results/{_dataset}/behaviour.zarr",
        output:
            [directory(f"results/{_dataset}/behaviour/{n}.zarr") for n in behaviour_condition_names(_dataset)],
        params:
            task={k: _behaviour(_dataset)[k] for k in _TASK_KEYS},
            conditions=_behaviour(_dataset)["conditions"],
            training={k: _behaviour(_dataset)[k] for k in _TRAINING_KEYS},
            device=config.get("device", "auto"),
            checkpoint=f"results/{_dataset}/behaviour/.train-checkpoint.pt",
        log:
            f"logs/{_dataset}/behaviour/train.log",
        benchmark:
            f"benchmarks/{_dataset}/behaviour/train.tsv"
        threads: 1
        resources:
            mem_mb=4000,
            runtime=60,
            gpu=0,
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
        n_repeats=lambda wc: _behaviour(wc.dataset)["n_repeats"],
        seed=lambda wc: _behaviour(wc.dataset)["simulation_seed"],
        chunk_size=lambda wc: _behaviour(wc.dataset)["chunk_size"],
        device=config.get("device", "auto"),
    log:
        "logs/{dataset}/behaviour/simulate.log",
    benchmark:
        "benchmarks/{dataset}/behaviour/simulate.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
        gpu=0,
    script:
        "../scripts/behaviour_simulate.py"


rule behaviour_statistics:
    """Circular SD, bias, error correlation and mixture fits of humans and every condition."""
    input:
        behaviour="results/{dataset}/behaviour.zarr",
        reports="results/{dataset}/behaviour/reports.zarr",
    output:
        summary="results/{dataset}/behaviour/summary.csv",
        mixture="results/{dataset}/behaviour/mixture.csv",
        bias="results/{dataset}/behaviour/bias.csv",
    params:
        n_bins=lambda wc: _behaviour(wc.dataset)["bias_bins"],
    log:
        "logs/{dataset}/behaviour/statistics.log",
    benchmark:
        "benchmarks/{dataset}/behaviour/statistics.tsv"
    threads: 1
    resources:
        mem_mb=4000,
        runtime=30,
    script:
        "../scripts/behaviour_statistics.py"


rule behaviour_rank:
    """Rank conditions against the humans, check parameter recovery, copy out the chosen network."""
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
        floor=lambda wc: _behaviour(wc.dataset)["loglik_floor"],
    log:
        "logs/{dataset}/behaviour/rank.log",
    threads: 1
    resources:
        mem_mb=2000,
        runtime=10,
    script:
        "../scripts/behaviour_rank.py"


OUTPUT_FUNCTIONS.append(
    lambda: [f"results/{d}/behaviour/{f}" for d in BEHAVIOURS for f in ("ranking.csv", "recovery.csv", "chosen.zarr")]
)
