from pinfit.figures.activity import draw_activity
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_activity(
    recording=snakemake.input.recording,
    fits=list(snakemake.input.fits),
    stem=snakemake.params.stem,
    n_examples=snakemake.params.n_examples,
    dpi=snakemake.params.dpi,
)
