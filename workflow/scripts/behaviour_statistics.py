from pinfit.progress import log_to_file
from pinfit.stages.behaviour import behaviour_statistics

log_to_file(snakemake.log[0])
behaviour_statistics(
    snakemake.input.behaviour,
    snakemake.input.reports,
    summary_path=snakemake.output.summary,
    mixture_path=snakemake.output.mixture,
    mixture_summary_path=snakemake.output.mixture_summary,
    comparison_path=snakemake.output.comparison,
    bias_path=snakemake.output.bias,
    behaviour=snakemake.params.behaviour,
)
