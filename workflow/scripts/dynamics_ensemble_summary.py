"""Join the ensemble chunks into the per-mechanism summary (rule ensemble_summary)."""

from pinfit.progress import log_to_file

log_to_file(snakemake.log[0])  # noqa: F821

from pinfit.stages.ensemble import summarise_ensemble  # noqa: E402

summarise_ensemble(
    list(snakemake.input.analysis),  # noqa: F821
    list(snakemake.input.fixed_points),  # noqa: F821
    snakemake.output.zarr,  # noqa: F821
    snakemake.output.csv,  # noqa: F821
    ensemble=snakemake.params.ensemble,  # noqa: F821
)
