"""The one device chooser: CUDA when present (or asked for), else CPU."""

from __future__ import annotations

import torch

from pinfit.errors import check_choice


def choose_device(preference: str = "auto") -> torch.device:
    """Return ``cuda`` if available and not refused, else ``cpu``.

    ``preference`` is 'auto', 'cpu' or 'cuda'; asking for 'cuda' without a GPU falls back to
    CPU with the same results (the engines are deterministic in float64 on both).
    """
    check_choice("device", "device", preference, ["auto", "cpu", "cuda"])
    if preference in ("auto", "cuda") and torch.cuda.is_available():
        return torch.device("cuda")
    return torch.device("cpu")
