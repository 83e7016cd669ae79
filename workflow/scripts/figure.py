from pinfit.progress import log_to_file
from pinfit.stages.figures import draw_figure

log_to_file(snakemake.log[0])
draw_figure(
    snakemake.params.figure,
    inputs=dict(snakemake.input.items()),
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
    **snakemake.params.options,
)
