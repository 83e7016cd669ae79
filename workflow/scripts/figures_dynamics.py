from pinfit.figures.dynamics import draw_dynamics
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
draw_dynamics(
    mechanisms=snakemake.input.mechanisms,
    fixed_points=list(snakemake.input.fixed_points),
    stem=snakemake.params.stem,
    dpi=snakemake.params.dpi,
)
