from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])

from pinfit.stages.pinning import summarise_pinning  # noqa: E402

summarise_pinning(
    stores=list(snakemake.input.fits),
    output=snakemake.output.summary,
    dataset=snakemake.wildcards.dataset,
    heldout=list(snakemake.input.heldout),
    controls=list(snakemake.input.controls),
    by_p_output=snakemake.output.by_p,
    controls_output=snakemake.output.controls,
    pinning=snakemake.params.pinning,
)
