"""Does it run, and does it agree: numpy code compiled from proved formulas, and reference autodiff."""
