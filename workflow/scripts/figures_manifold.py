from pinfit.figures.manifold import draw_manifold
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_manifold(
    manifold=snakemake.input.manifold,
    codes=snakemake.input.codes,
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
)
