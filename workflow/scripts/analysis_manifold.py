import torch

from pinfit.analysis.manifold import analyse_task_manifold
from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])
torch.set_num_threads(snakemake.threads)
analyse_task_manifold(
    network=snakemake.input.network,
    store=snakemake.output.store,
    table=snakemake.output.table,
    n_grid=snakemake.params.n_grid,
    delay_fraction=snakemake.params.delay_fraction,
    n_components=snakemake.params.n_components,
    n_landmarks=snakemake.params.n_landmarks,
    n_shuffles=snakemake.params.n_shuffles,
    margin=snakemake.params.homology_margin,
    noise=snakemake.params.noise,
    seed=snakemake.params.seed,
    device=snakemake.params.device,
    max_interaction_fraction=snakemake.params.max_interaction_fraction,
    min_principal_angle=snakemake.params.min_principal_angle,
    min_radius_ratio=snakemake.params.min_radius_ratio,
    max_radius_cv=snakemake.params.max_radius_cv,
    min_additive_r2=snakemake.params.min_additive_r2,
)
