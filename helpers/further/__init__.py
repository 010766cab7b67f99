"""The paths that go further: the blocked gradient, sufficient statistics, minibatches, the PyTorch way,
noise, in-process sweeps, timings and the distributed run. They import only the core."""
