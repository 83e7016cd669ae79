from pinfit.progress import log_to_file
from pinfit.stages.behaviour import rank_behaviour_conditions

log_to_file(snakemake.log[0])
rank_behaviour_conditions(
    snakemake.input.behaviour,
    snakemake.input.reports,
    list(snakemake.input.networks),
    summary_path=snakemake.input.summary,
    mixture_path=snakemake.input.mixture,
    bias_path=snakemake.input.bias,
    ranking_path=snakemake.output.ranking,
    recovery_path=snakemake.output.recovery,
    chosen_path=snakemake.output.chosen,
    behaviour=snakemake.params.behaviour,
)
