from pinfit.figures.dynamics import draw_dynamics
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_dynamics(
    examples=list(snakemake.input.examples),
    mechanisms=snakemake.input.mechanisms,
    memory=snakemake.input.memory,
    noise=snakemake.input.noise,
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
)
