"""PINning (Rajan, Harvey & Tank 2016): fit partially plastic random rate networks to recordings.

``fit_pinning`` trains B networks (one seed, several fractions p of plastic weights) together;
``params`` holds every parameter and check, ``network`` the random draws and targets, ``kernel``
and ``torch_loop`` the step loop on CPU and CUDA; :mod:`pinfit.stages.pinning` reads and writes
the stores.
"""

from pinfit.pinning.fit import fit_pinning
from pinfit.pinning.params import PinningParams

__all__ = ["PinningParams", "fit_pinning"]
