# Ingest: demo data generation, then any recording or behaviour table into the zarr data model.


rule make_demo:
    """Write a bundled demo dataset deterministically (seeded) into data/demo/."""
    output:
        "data/demo/{demo}.{ext}",
    wildcard_constraints:
        demo="ppc_like|two_orientation",
        ext="npz|csv",
    log:
        "logs/demo/{demo}.{ext}.log",
    conda:
        CONDA_ENV
    script:
        "../scripts/make_demo.py"


rule ingest_recording:
    """Read a calcium-imaging recording, preprocess it, write results/<dataset>/recording.zarr."""
    input:
        lambda wc: DATASETS[wc.dataset]["path"],
    output:
        directory("results/{dataset}/recording.zarr"),
    wildcard_constraints:
        dataset="|".join(RECORDINGS) or "NO_RECORDING",
    params:
        entry=lambda wc: DATASETS[wc.dataset],
    log:
        "logs/{dataset}/ingest/recording.log",
    resources:
        mem_mb=4000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/ingest.py"


rule ingest_behaviour:
    """Read a psychophysics report table, write results/<dataset>/behaviour.zarr."""
    input:
        lambda wc: DATASETS[wc.dataset]["path"],
    output:
        directory("results/{dataset}/behaviour.zarr"),
    wildcard_constraints:
        dataset="|".join(BEHAVIOURS) or "NO_BEHAVIOUR",
    params:
        entry=lambda wc: DATASETS[wc.dataset],
    log:
        "logs/{dataset}/ingest/behaviour.log",
    resources:
        mem_mb=2000,
        runtime=10,
    conda:
        CONDA_ENV
    script:
        "../scripts/ingest.py"

