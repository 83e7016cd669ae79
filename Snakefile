# pinfit: fit recurrent networks to recorded data and explain the fitted networks.
# Reads like a table of contents: config, one rule file per stage in pipeline order, rule all.
# Every rule runs in the one conda env CONDA_ENV (common.smk) under `--sdm conda`; `make run` uses .venv.

from snakemake.utils import min_version

min_version("9.0")


configfile: "config/config.yaml"



report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/ingest.smk"
include: "workflow/rules/pinning.smk"
include: "workflow/rules/behaviour.smk"
include: "workflow/rules/analysis.smk"
include: "workflow/rules/dynamics.smk"
include: "workflow/rules/figures.smk"


rule all:
    input:
        all_outputs,
    default_target: True
