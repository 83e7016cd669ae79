from pinfit.figures.pinning import draw_pinning
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_pinning(
    summary=snakemake.input.summary,
    fits=list(snakemake.input.fits),
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
)
