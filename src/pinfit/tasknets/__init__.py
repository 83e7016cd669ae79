"""Task-trained rate networks: task specifications and trials, training conditions, the batched
rate network, its BPTT training, and simulation of trained networks."""
