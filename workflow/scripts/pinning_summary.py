from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

from pinfit.stages.pinning import summarise_pinning  # noqa: E402

summarise_pinning(
    stores=list(snakemake.input), output=snakemake.output[0], dataset=snakemake.wildcards.dataset
)
