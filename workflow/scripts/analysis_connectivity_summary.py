from pinfit.progress import log_to_file
from pinfit.stages.connectivity import summarise_connectivity

log_to_file(snakemake.log[0])
summarise_connectivity(
    list(snakemake.input),
    snakemake.output.dj,
    snakemake.output.summary,
    dataset=snakemake.wildcards.dataset,
)
